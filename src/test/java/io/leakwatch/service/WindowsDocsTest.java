package io.leakwatch.service;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** docs/windows.md tells a user what the Windows code does: the first run, the installer, the firewall. */
class WindowsDocsTest {
    private static final Path PAGE = Path.of("docs", "windows.md");

    private static String page() throws Exception {
        return Files.readString(PAGE);
    }

    private static String section(String heading) throws Exception {
        String text = page();
        int start = text.indexOf("\n## " + heading);
        assertTrue(start >= 0, "no section '" + heading + "'");
        int end = text.indexOf("\n## ", start + 4);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /** Short numbered steps, ending with what to do with diagnose's output. */
    @Test
    void theFirstRunIsAChecklistEndingWithDiagnoseInAnIssue() throws Exception {
        String checklist = section("The first run on a new machine");
        List<String> steps = new ArrayList<>();
        for (String line : checklist.split("\n")) {
            if (line.matches("\\d+\\. .*")) {
                steps.add(line);
            } else if (!steps.isEmpty() && line.startsWith("   ")) {
                steps.set(steps.size() - 1, steps.get(steps.size() - 1) + " " + line.strip());
            }
        }
        assertTrue(steps.size() >= 6, steps.toString());
        for (int i = 0; i < steps.size(); i++) {
            assertTrue(steps.get(i).startsWith((i + 1) + ". "), "numbered in order: " + steps.get(i));
            assertTrue(steps.get(i).length() <= 400, "a short step: " + steps.get(i));
        }
        assertTrue(steps.get(steps.size() - 1).contains("paste `leakwatch diagnose` into an issue"), steps.get(steps.size() - 1));
    }

    /** windows_exporter's installer opens its port in Windows Firewall; leakwatch's zip does not unless asked. */
    @Test
    void scrapingFromAnotherMachineSaysHowToOpenThePort() throws Exception {
        String page = page();
        assertTrue(page.contains("netsh advfirewall firewall add rule name=leakwatch dir=in action=allow protocol=TCP localport=9182"), page);
        assertTrue(page.contains("--service.firewall"), "the install option");
        assertTrue(page.contains("ADDLOCAL=FirewallException"), "the installer's feature");
    }

    /** Every property the installer takes, explained; the same names the installer has. */
    @Test
    void everyInstallerPropertyIsExplained() throws Exception {
        String installer = section("Installing with the MSI");
        String wxs = Files.readString(Path.of("src/main/msi/leakwatch.wxs")) + Files.readString(Path.of("src/main/msi/find-java.js"));
        for (String property : List.of("ENABLED_COLLECTORS", "LISTEN_ADDR", "LISTEN_PORT", "METRICS_PATH", "EXTRA_FLAGS", "CONFIG_FILE",
                "REMOTE_ADDR", "NOSTART", "JAVA", "ADDLOCAL")) {
            assertTrue(installer.contains("| `" + property + "`"), property + " in the table");
            assertTrue(property.equals("ADDLOCAL") || wxs.contains("[" + property + "]") || wxs.contains("Id=\"" + property + "\"")
                    || wxs.contains(property + "&lt;&gt;") || wxs.contains("Property(\"" + property + "\")"), property + " in the installer");
        }
    }

    /** The label rules as the code has them now. */
    @Test
    void theLabelRulesAreWindowsExporters() throws Exception {
        String labels = section("Label values");
        assertTrue(labels.contains("PROCESS_QUERY_INFORMATION") && labels.contains("PROCESS_VM_READ"), labels);
        assertTrue(labels.contains("first NUL"), labels);
        assertTrue(labels.contains("protected processes"), labels);
        assertFalse(page().contains("ProcessCommandLineInformation (Windows 8.1+)"), "no longer read that way");
        assertTrue(labels.contains("Windows 7"), "what process_group_id is on Windows 7");
    }
}
