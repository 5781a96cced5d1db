package io.leakwatch.service;

import io.leakwatch.Main;
import io.leakwatch.backend.windows.ScrapeComparison;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The GitHub Actions workflow that runs leakwatch on a real Windows cannot run here: it is read with
 * a YAML parser and checked against the code it exercises, so it cannot drift from it (the schema
 * check is WindowsWorkflowValidationTest's, in the system tier). Its PowerShell scripts are checked
 * for what they call and what they pass to leakwatch.
 */
class WindowsWorkflowTest {
    private static final Path WORKFLOW = Path.of(".github", "workflows", "windows.yml");
    private static final Path SCRIPTS = Path.of(".github", "windows");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> workflow() throws Exception {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(WORKFLOW));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> jobs() throws Exception {
        return (Map<String, Map<String, Object>>) workflow().get("jobs");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps(String job) throws Exception {
        return (List<Map<String, Object>>) jobs().get(job).get("steps");
    }

    private static String script(String name) throws Exception {
        return Files.readString(SCRIPTS.resolve(name));
    }

    private static String allRuns() throws Exception {
        StringBuilder all = new StringBuilder();
        for (String job : jobs().keySet()) {
            for (Map<String, Object> step : steps(job)) {
                if (step.get("run") != null) {
                    all.append(step.get("run")).append('\n');
                }
            }
        }
        return all.toString();
    }

    @Test
    void jobsRunOnWindowsWithAReadOnlyTokenAndBoundedTime() throws Exception {
        Map<String, Object> w = workflow();
        assertTrue(w.containsKey("on"), "triggers");
        assertEquals(Map.of("contents", "read"), w.get("permissions"), "read-only token");
        assertEquals(List.of("service", "runtime", "msi", "msi-windows"), List.copyOf(jobs().keySet()));
        for (var job : jobs().entrySet()) {
            String runsOn = (String) job.getValue().get("runs-on");
            assertEquals(job.getKey().equals("msi") ? "ubuntu-latest" : "windows-latest", runsOn, job.getKey());
            assertTrue(job.getValue().get("timeout-minutes") instanceof Integer minutes && minutes <= 60, "bounded in time");
            for (Map<String, Object> step : steps(job.getKey())) {
                assertTrue(step.containsKey("uses") ^ step.containsKey("run"), "a step either uses an action or runs: " + step);
                if (step.containsKey("uses")) {
                    assertTrue(((String) step.get("uses")).matches("actions/(checkout|setup-java|upload-artifact|download-artifact)@v\\d+"),
                            step.toString());
                } else if (runsOn.startsWith("windows")) {
                    assertEquals("pwsh", step.get("shell"), "one shell for every Windows script: " + step);
                }
            }
        }
        assertEquals("runtime", jobs().get("msi").get("needs"));
        assertEquals("msi", jobs().get("msi-windows").get("needs"));
    }

    /** The scripts the workflow runs exist, and every function they call is one of theirs or PowerShell's. */
    @Test
    void theScriptsItRunsExistAndDefineWhatTheyCall() throws Exception {
        Matcher used = Pattern.compile("\\./\\.github/windows/([\\w-]+\\.ps1)").matcher(allRuns());
        Set<String> scripts = new LinkedHashSet<>();
        while (used.find()) {
            scripts.add(used.group(1));
            assertTrue(Files.isRegularFile(SCRIPTS.resolve(used.group(1))), used.group(1));
        }
        assertEquals(Set.of("service-checks.ps1", "show-logs.ps1", "make-runtime.ps1", "msi-checks.ps1"), scripts);
        Set<String> defined = new LinkedHashSet<>();
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            for (Path file : files.toList()) {
                Matcher f = Pattern.compile("(?m)^function ([\\w-]+)").matcher(Files.readString(file));
                while (f.find()) {
                    defined.add(f.group(1));
                }
            }
        }
        // PowerShell returns everything a function writes to its output: one that returns a value must print to the host
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            for (Path file : files.toList()) {
                Matcher body = Pattern.compile("(?ms)^function ([\\w-]+)[^{]*\\{(.*?)^}").matcher(Files.readString(file));
                while (body.find()) {
                    assertFalse(body.group(2).contains("return ") && body.group(2).contains("Write-Output"),
                            body.group(1) + " returns a value and writes output, which would be returned with it");
                }
            }
        }
        assertEquals(Set.of("Assert-True", "Write-Section", "Wait-Until", "Get-ServiceInfo", "Get-ServiceKey", "Get-FailureActions",
                "Assert-ServiceSettings", "Get-Scrape", "Assert-NothingLeft", "Invoke-Msiexec", "Assert-OnlyConfigLeft"), defined);
        for (String name : scripts) {
            String text = script(name);
            if (!name.equals("show-logs.ps1")) {
                assertTrue(text.contains(". \"$PSScriptRoot/common.ps1\""), name + " loads the shared functions");
            }
            Matcher call = Pattern.compile("\\b(Assert-\\w+|Wait-\\w+|Get-Service\\w+|Get-Scrape|Get-FailureActions|Invoke-Msiexec|Write-Section)\\b")
                    .matcher(text);
            while (call.find()) {
                assertTrue(defined.contains(call.group(1)) || call.group(1).equals("Get-Service"), name + " calls " + call.group(1));
            }
        }
    }

    /** What the service job installs with are leakwatch flags, relative file paths among them, and the comparison exists. */
    @Test
    void theServiceJobInstallsWithValidFlagsAndComparesWithWindowsExporter() throws Exception {
        String s = script("service-checks.ps1");
        int install = s.indexOf("& $lw service install ");
        assertTrue(install > 0, s);
        String line = s.substring(install, s.indexOf("Assert-True", install));
        List<String> args = new ArrayList<>();
        Matcher quoted = Pattern.compile("[\"']([^\"']+)[\"']").matcher(line.substring("& $lw service install ".length()));
        while (quoted.find()) {
            args.add(quoted.group(1).replace("$port", "9182"));
        }
        ServiceInstall.Options options = ServiceInstall.Options.parse(args);
        assertEquals("127.0.0.1", options.firewall());
        assertDoesNotThrow(() -> Main.SERVICE_FLAGS.parse(options.flags()), options.flags().toString());
        assertTrue(options.flags().stream().anyMatch(a -> a.startsWith("--config.file=conf (ci)\\")), "a relative path with spaces and parentheses");
        assertTrue(s.contains("Join-Path $env:ProgramFiles 'leakwatch (ci) test'"), "installed under spaces and parentheses");

        Path comparison = Path.of("src/test/java", ScrapeComparison.class.getName().replace('.', '/') + ".java");
        assertTrue(Files.isRegularFile(comparison));
        assertTrue(s.contains("'" + comparison.toString().replace('\\', '/') + "'") || s.contains(comparison.toString().replace('\\', '/')),
                "runs the comparison the tests here check: " + comparison);
        for (String role : List.of("protected=", "32-bit=", "other-user=")) {
            assertTrue(s.contains("\"" + role), "compares a " + role.replace("=", "") + " process");
        }
        assertTrue(s.matches("(?s).*windows_exporter-\\$WindowsExporterVersion-amd64\\.exe.*sha256sums\\.txt.*"), "a release, checked");
        assertTrue(allRuns().matches("(?s).*-WindowsExporterVersion \\d+\\.\\d+\\.\\d+.*"), "a pinned windows_exporter version");
        for (String step : List.of("Assert-ServiceSettings leakwatch", "Stop-Process -Id $before -Force", "& $lw service stop",
                "& $lw service uninstall", "Assert-NothingLeft leakwatch")) {
            assertTrue(s.contains(step), step);
        }
    }

    @Test
    void theServiceJobChecksEveryMetricFamilyTheExporterServes() throws Exception {
        String table = Files.readString(Path.of("src/main/java/io/leakwatch/metrics/ProcessMetricTable.java"));
        Matcher m = Pattern.compile("(?:single|labelled)\\(\"([a-z_]+)\", (GAUGE|COUNTER)").matcher(table);
        List<String> families = new ArrayList<>(List.of("windows_process_info"));
        while (m.find()) {
            families.add("windows_process_" + m.group(1) + (m.group(2).equals("COUNTER") ? "_total" : ""));
        }
        assertEquals(16, families.size());
        String script = script("service-checks.ps1");
        int list = script.indexOf("$families = @(");
        assertTrue(list > 0, "the script lists the families");
        Matcher listed = Pattern.compile("'(windows_process_[a-z_]+)'").matcher(script.substring(list, script.indexOf(")", list)));
        List<String> inScript = new ArrayList<>();
        while (listed.find()) {
            inScript.add(listed.group(1));
        }
        assertEquals(families.stream().sorted().toList(), inScript.stream().sorted().toList());
    }

    /** The MSI job passes windows_exporter's properties, checks what each became, and both packages. */
    @Test
    void theMsiJobUsesWindowsExportersPropertiesAndBothPackages() throws Exception {
        String s = script("msi-checks.ps1");
        for (String property : List.of("JAVA=", "ENABLED_COLLECTORS=", "LISTEN_ADDR=", "LISTEN_PORT=", "METRICS_PATH=", "EXTRA_FLAGS=",
                "ADDLOCAL=FirewallException", "REMOTE_ADDR=", "NOSTART=1")) {
            assertTrue(s.contains(property), property);
        }
        assertTrue(s.contains("leakwatch needs a 64-bit Java 17 or newer"), "the launch condition's own words");
        assertTrue(Files.readString(Path.of("src/main/msi/leakwatch.wxs")).contains("leakwatch needs a 64-bit Java 17 or newer"));
        String runs = allRuns();
        assertTrue(runs.contains("sh src/main/msi/build-msi.sh \"$version\" target runtime/jre"), runs);
        assertTrue(runs.contains("'leakwatch-*-amd64.msi'") && runs.contains("'leakwatch-*-amd64-jre.msi'"),
                "the names build-msi.sh gives: " + runs);
    }

    @Test
    void pathsMatchTheBuild() throws Exception {
        String runs = allRuns();
        assertTrue(runs.contains("target/leakwatch-windows.zip"), "the assembly's id is windows and finalName leakwatch");
        assertTrue(Files.readString(Path.of("src/main/assembly/windows.xml")).contains("<id>windows</id>"));
        Matcher tests = Pattern.compile("-Dtest=([^\"]+)\"").matcher(runs);
        assertTrue(tests.find());
        for (String pattern : tests.group(1).split(",")) {
            String dir = pattern.replace(".*Test", "").replace('.', '/');
            Path p = Path.of("src/test/java", dir);
            assertTrue(Files.isDirectory(p) || Files.exists(Path.of("src/test/java", dir + ".java")), pattern);
        }
    }
}
