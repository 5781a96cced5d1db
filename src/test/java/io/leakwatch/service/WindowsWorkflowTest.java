package io.leakwatch.service;

import io.leakwatch.Settings;
import io.leakwatch.config.CommandLine;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The GitHub Actions workflow that runs leakwatch on a real Windows cannot run here: it is read
 * with a YAML parser and checked against the code it exercises, so it cannot drift from it.
 */
class WindowsWorkflowTest {
    private static final Path WORKFLOW = Path.of(".github", "workflows", "windows.yml");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> workflow() throws Exception {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(WORKFLOW));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps() throws Exception {
        Map<String, Object> jobs = (Map<String, Object>) workflow().get("jobs");
        return (List<Map<String, Object>>) ((Map<String, Object>) jobs.get("windows")).get("steps");
    }

    private static String script() throws Exception {
        StringBuilder all = new StringBuilder();
        for (Map<String, Object> step : steps()) {
            if (step.get("run") != null) {
                all.append(step.get("run")).append('\n');
            }
        }
        return all.toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void isAWellFormedWorkflowOnWindows() throws Exception {
        Map<String, Object> w = workflow();
        assertTrue(w.containsKey("on"), "triggers");
        assertEquals(Map.of("contents", "read"), w.get("permissions"), "read-only token");
        Map<String, Object> job = (Map<String, Object>) ((Map<String, Object>) w.get("jobs")).get("windows");
        assertEquals("windows-latest", job.get("runs-on"));
        assertTrue(job.get("timeout-minutes") instanceof Integer minutes && minutes <= 60, "bounded in time");
        for (Map<String, Object> step : steps()) {
            assertTrue(step.containsKey("uses") ^ step.containsKey("run"), "a step either uses an action or runs: " + step);
            if (step.containsKey("uses")) {
                assertTrue(((String) step.get("uses")).matches("actions/(checkout|setup-java)@v\\d+"), step.toString());
            } else {
                assertEquals("pwsh", step.get("shell"), "one shell for every script: " + step);
            }
        }
    }

    @Test
    void comparesEveryMetricFamilyTheExporterServes() throws Exception {
        String table = Files.readString(Path.of("src/main/java/io/leakwatch/metrics/ProcessMetricTable.java"));
        Matcher m = Pattern.compile("(?:single|labelled)\\(\"([a-z_]+)\", (GAUGE|COUNTER)").matcher(table);
        List<String> families = new ArrayList<>(List.of("windows_process_info"));
        while (m.find()) {
            families.add("windows_process_" + m.group(1) + (m.group(2).equals("COUNTER") ? "_total" : ""));
        }
        assertEquals(16, families.size());
        Matcher listed = Pattern.compile("'(windows_process_[a-z_]+)'").matcher(script());
        List<String> inWorkflow = new ArrayList<>();
        while (listed.find()) {
            inWorkflow.add(listed.group(1));
        }
        assertEquals(families.stream().sorted().toList(), inWorkflow.stream().sorted().toList());
    }

    @Test
    void runsTheServiceLifecycleInOrderWithValidFlags() throws Exception {
        String s = script();
        int install = s.indexOf("& $lw service install");
        int start = s.indexOf("& $lw service start");
        int scrape = s.indexOf("Invoke-WebRequest");
        int stop = s.indexOf("& $lw service stop");
        int uninstall = s.indexOf("& $lw service uninstall");
        assertTrue(0 < install && install < start && start < scrape && scrape < stop && stop < uninstall, s);
        String flags = s.substring(install + "& $lw service install".length(), s.indexOf('\n', install)).trim();
        assertDoesNotThrow(() -> Settings.commandLine(List.of(flags.split(" "))), flags);
        assertTrue(s.contains("--web.listen-address=127.0.0.1:9182") && s.contains("http://127.0.0.1:9182/metrics"));
        assertTrue(s.contains("leakwatch.cmd\" diagnose"), "the first Windows run prints diagnose");
        assertTrue(s.contains("working_set_private_bytes") && s.contains("owner="), "own pid, private working set, owner");
    }

    @Test
    void pathsMatchTheBuild() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher version = Pattern.compile("<artifactId>leakwatch</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(version.find());
        String s = script();
        assertTrue(s.contains("target/leakwatch-windows.zip"), "the assembly's id is windows and finalName leakwatch");
        assertTrue(Files.readString(Path.of("src/main/assembly/windows.xml")).contains("<id>windows</id>"));
        Matcher dirs = Pattern.compile("leakwatch-([0-9][^\\\\\"]*)\\\\").matcher(s);
        int found = 0;
        while (dirs.find()) {
            assertEquals(version.group(1), dirs.group(1), "unzipped folder = baseDirectory leakwatch-${project.version}");
            found++;
        }
        assertTrue(found >= 3);
        Matcher tests = Pattern.compile("-Dtest=([^\"]+)\"").matcher(s);
        assertTrue(tests.find());
        for (String pattern : tests.group(1).split(",")) {
            String dir = pattern.replace(".*Test", "").replace('.', '/');
            Path p = Path.of("src/test/java", dir);
            assertTrue(Files.isDirectory(p) || Files.exists(Path.of("src/test/java", dir + ".java")), pattern);
        }
    }
}
