package io.leakwatch.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The figures the docs quote about the image (size, memory, stop time) and about series (per host,
 * per process) come from a run: docker/measure.sh measures them and records them in
 * docker/measured.properties, and the tables between the "measured" markers of docs/containers.md
 * and docs/fleet.md are rendered from that file. This test fails when a table and the last recorded
 * run disagree. docker/measure.sh regenerates them ({@code mvn test -Dtest=MeasuredFiguresTest
 * -Dleakwatch.docs.update=true}).
 */
class MeasuredFiguresTest {
    static final Path FIGURES = Path.of("docker/measured.properties");
    static final Path CONTAINERS = Path.of("docs/containers.md");
    static final Path FLEET = Path.of("docs/fleet.md");
    private static final String BEGIN = "<!-- measured: generated from docker/measured.properties (docker/measure.sh); do not edit -->\n";
    private static final String END = "<!-- measured: end -->\n";

    static Properties figures() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(FIGURES, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    static String containersTable(Properties f) {
        return "| measured | |\n|---|---|\n"
                + "| image | **" + f.getProperty("image.mb") + " MB**: the Debian base " + f.getProperty("runtime.base.mb")
                + " MB, `leakwatch.jar` " + f.getProperty("jar.mb") + " MB, the rest the trimmed Java runtime and its class archive |\n"
                + "| image build (`podman build --layers=false`, base images cached) | " + f.getProperty("build.seconds") + " s |\n"
                + "| resident memory of the JVM in the container after " + f.getProperty("scrapes") + " scrapes of "
                + thousands(f.getProperty("processes")) + " host processes | **" + f.getProperty("rss.mb") + " MB** |\n"
                + "| `podman stop` (SIGTERM) until the container exited | " + f.getProperty("sigterm.seconds") + " s, exit code "
                + f.getProperty("sigterm.exit.code") + " |\n\n"
                + "Measured " + f.getProperty("date") + " on " + f.getProperty("machine") + ", shared with other work.\n";
    }

    static String fleetTable(Properties f) {
        int perHost = Integer.parseInt(f.getProperty("series.per.host"));
        int privileged = Integer.parseInt(f.getProperty("series.per.process.privileged"));
        int plain = Integer.parseInt(f.getProperty("series.per.process.default"));
        return "| measured (" + thousands(f.getProperty("processes")) + " processes on one Linux host, leak detection on) | series |\n|---|---:|\n"
                + "| per host, on no process: leakwatch's own health and footprint | " + perHost + " |\n"
                + "| per process, the default container (another user's process: no I/O counters) | " + plain + " |\n"
                + "| per process, the privileged variant (every source readable) | " + privileged + " |\n\n"
                + "So a host's series are about **" + privileged + " × its processes + " + perHost + "** with every source readable ("
                + plain + " × with the default, for other users' processes): 100 processes make about "
                + String.format("%,d", 100 * privileged + perHost) + " series, 1,000 about " + String.format("%,d", 1000 * privileged + perHost)
                + ". The " + f.getProperty("kernel.threads.left.out") + " kernel threads of that host were left out (the default). Measured "
                + f.getProperty("date") + ".\n";
    }

    private static String thousands(String number) {
        return String.format("%,d", Long.parseLong(number));
    }

    @Test
    void theDocsQuoteTheLastRecordedRun() throws IOException {
        Properties f = figures();
        check(CONTAINERS, containersTable(f));
        check(FLEET, fleetTable(f));
    }

    private static void check(Path page, String table) throws IOException {
        // a figure missing from the file renders as "null": it would be written to the page and then agree with it
        assertFalse(table.contains("null"), FIGURES + " lacks a figure " + page + " quotes:\n" + table);
        String text = Files.readString(page);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END, begin);
        assertTrue(begin >= 0 && end > begin, page + " has no block between the measured markers");
        String expected = text.substring(0, begin + BEGIN.length()) + table + text.substring(end);
        if (Boolean.getBoolean("leakwatch.docs.update")) {
            Files.writeString(page, expected);
            return;
        }
        assertEquals(expected, text, page + " differs from " + FIGURES + "; regenerate with "
                + "mvn test -Dtest=MeasuredFiguresTest -Dleakwatch.docs.update=true (docker/measure.sh does)");
    }
}
