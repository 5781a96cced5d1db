package io.leakwatch.backend.windows;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The comparison the Windows workflow runs between leakwatch and windows_exporter, on leakwatch's
 * real scrape of the Wine buffer and that scrape as windows_exporter prints it (labels sorted, Go's
 * number format, memory read a moment later), with the differences it exists to catch.
 */
class ScrapeComparisonTest {
    private static final long PROTECTED = 56;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private boolean compare(String leakwatch, String windowsExporter, Map<String, Long> must) {
        return ScrapeComparison.compare(leakwatch, windowsExporter, must, Set.of(),
                new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** leakwatch's scrape with one process protected (no command line, group 0), as both exporters see csrss. */
    private static String leakwatch() throws Exception {
        return WindowsGoldenScrapeTest.scrape().lines()
                .map(l -> l.startsWith("windows_process_info{") && l.contains("process_id=\"" + PROTECTED + "\"")
                        ? l.replaceAll("cmdline=\"[^}]*\",}", "cmdline=\"\",}").replaceAll("process_group_id=\"\\d+\"", "process_group_id=\"0\"")
                        : l)
                .reduce("", (a, b) -> a + b + "\n");
    }

    /**
     * The same processes as windows_exporter prints them: client_golang's sorted labels and number
     * format, memory {@code scale} times leakwatch's, and {@code change} applied to each info's labels.
     */
    private static String windowsExporter(String leakwatch, double scale,
                                          BiFunction<Long, Map<String, String>, Map<String, String>> change) {
        StringBuilder out = new StringBuilder("# HELP windows_process_info Process information.\n# TYPE windows_process_info gauge\n");
        Map<String, List<ScrapeComparison.Sample>> parsed = ScrapeComparison.parse(leakwatch);
        for (ScrapeComparison.Sample s : parsed.get("windows_process_info")) {
            long pid = Long.parseLong(s.labels().get("process_id"));
            out.append("windows_process_info").append(labels(change.apply(pid, new TreeMap<>(s.labels())))).append(" 1\n");
        }
        for (String family : ScrapeComparison.MEMORY) {
            for (ScrapeComparison.Sample s : parsed.get(family)) {
                out.append(family).append(labels(new TreeMap<>(s.labels())))
                        .append(String.format(Locale.ROOT, " %.6e%n", s.value() * scale).replace("e+0", "e+"));
            }
        }
        return out.toString();
    }

    private static String labels(Map<String, String> labels) {
        StringBuilder b = new StringBuilder("{");
        labels.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(k).append("=\"")
                .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"'));
        return b.append('}').toString();
    }

    @Test
    void theSameProcessesReadAMomentApartAgreeAndEveryOneIsPrinted() throws Exception {
        String lw = leakwatch();
        assertTrue(compare(lw, windowsExporter(lw, 1.03, (pid, l) -> l), Map.of("protected", PROTECTED, "other-user", 32L)),
                printed());
        String out = printed();
        assertTrue(out.contains("processes: leakwatch 10, windows_exporter 10, both 10"), out);
        assertTrue(out.contains("labels (process, owner, cmdline, process_group_id, creating_process_id) agree for 10 of 10"), out);
        assertTrue(out.contains("checked protected process 56 (services): owner 'svc-56\\CONTOSO', cmdline of 0 characters,"
                + " process_group_id 0"), out);
        assertTrue(out.contains("32 | leaker | svc-32\\CONTOSO | 320 | 0 | 44 | private_bytes=0/0 working_set_private_bytes=0/0"
                + " working_set_bytes=9609216/9897492"), "a row per process: " + out);
        assertTrue(out.endsWith("the scrapes agree\n"), out);
    }

    /** What leakwatch did before it took windows_exporter's rule: a protected process's command line. */
    @Test
    void aCommandLineWhereWindowsExporterHasNoneFailsNamingTheProcess() throws Exception {
        String lw = WindowsGoldenScrapeTest.scrape(); // pid 56 with its command line in leakwatch's scrape
        String we = windowsExporter(leakwatch(), 1.0, (pid, l) -> l);
        assertFalse(compare(lw, we, Map.of("protected", PROTECTED)));
        assertTrue(printed().contains("FAILED: protected process 56 (services) differs: cmdline: leakwatch '\"C:\\Program Files"),
                printed());
    }

    @Test
    void aLabelThatDiffersForManyProcessesFails() throws Exception {
        String lw = leakwatch();
        // the owner as a SID in one exporter: the account lookup failed there
        assertFalse(compare(lw, windowsExporter(lw, 1.0, (pid, l) -> {
            Map<String, String> copy = new LinkedHashMap<>(l);
            copy.put("owner", "S-1-5-21-1-2-3-" + pid);
            return copy;
        }), Map.of()));
        assertTrue(printed().contains("FAILED: labels agree for 0 of 10 processes, fewer than 95 %"), printed());
        assertTrue(printed().contains("differs: pid 32 (leaker): owner: leakwatch 'svc-32\\CONTOSO', windows_exporter 'S-1-5-21-1-2-3-32'"),
                printed());
    }

    @Test
    void memoryFarApartFails() throws Exception {
        String lw = leakwatch();
        assertFalse(compare(lw, windowsExporter(lw, 1.5, (pid, l) -> l), Map.of()));
        assertTrue(printed().contains("FAILED: memory agrees for"), printed());
        assertTrue(printed().contains("(!)"), "the values that differ are marked: " + printed());
    }

    @Test
    void aProcessThatMustBeComparedButIsMissingFails() throws Exception {
        String lw = leakwatch();
        assertFalse(compare(lw, windowsExporter(lw, 1.0, (pid, l) -> l), Map.of("32-bit", 9999L)));
        assertTrue(printed().contains("FAILED: 32-bit process 9999 is not in leakwatch's scrape"), printed());
        printed.reset();
        assertFalse(compare(lw, "", Map.of()));
        assertTrue(printed().contains("FAILED: no process is in both scrapes"), printed());
    }

    /** A process of another user must have an owner; a protected one may have none in both exporters. */
    @Test
    void anOwnerIsRequiredExceptOfAProtectedProcess() throws Exception {
        String lw = leakwatch().replaceAll("owner=\"svc-(32|56)\\\\\\\\CONTOSO\"", "owner=\"\"");
        assertTrue(lw.contains("process_id=\"32\",creating_process_id=\"0\",process_group_id=\"320\",owner=\"\""), lw);
        String we = windowsExporter(lw, 1.0, (pid, l) -> l);
        assertTrue(compare(lw, we, Map.of("protected", PROTECTED)), printed());
        assertFalse(compare(lw, we, Map.of("other-user", 32L)));
        assertTrue(printed().contains("FAILED: other-user process 32 (leaker) has no owner in either scrape"), printed());
    }

    @Test
    void labelValuesAreUnescapedAsTheTextFormatSays() {
        Map<String, List<ScrapeComparison.Sample>> parsed = ScrapeComparison.parse(
                "windows_process_info{process=\"a\",process_id=\"7\",cmdline=\"x \\\"y z\\\" C:\\\\dir\\\\ \\n\",} 1.0\n"
                        + "windows_process_working_set_bytes{process=\"a\",process_id=\"7\"} 1.5e+06\nbad line\n");
        assertEquals("x \"y z\" C:\\dir\\ \n", parsed.get("windows_process_info").get(0).labels().get("cmdline"));
        assertEquals(1_500_000.0, parsed.get("windows_process_working_set_bytes").get(0).value());
    }
}
