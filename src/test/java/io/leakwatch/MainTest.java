package io.leakwatch;

import io.leakwatch.common.Version;
import io.leakwatch.config.Flag;
import io.leakwatch.testing.ChildExporter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    record Outcome(int code, String out, String err) {
    }

    private static Outcome runInProcess(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A real JVM, to see the real exit code and everything it prints. */
    private static Outcome runJvm(String... args) throws Exception {
        ChildExporter.Exit e = ChildExporter.run(args);
        return new Outcome(e.code(), e.out(), e.err());
    }

    @Test
    void helpListsEveryFlagWithItsDefault() {
        Outcome o = runInProcess("--help");
        assertEquals(0, o.code());
        for (Flag flag : Settings.FLAGS.all()) {
            assertTrue(o.out().contains(Main.usage(flag) + "\n"), flag.name());
        }
        assertTrue(o.out().contains("--web.listen-address=:9182\n"), o.out());
        assertTrue(o.out().contains("--collector.process.include=.+\n"), o.out());
        assertTrue(o.out().contains("--collector.process.cmdline-redact=builtin\n"), "a built-in default has a name");
    }

    @Test
    void everyFlagIsExplainedInALineOrTwo() {
        for (Flag flag : Settings.FLAGS.all()) {
            assertTrue(Main.helpLines(flag).size() <= 2, flag.name() + ": " + Main.helpLines(flag));
            assertTrue(Main.usage(flag).length() <= 60, Main.usage(flag));
        }
    }

    @Test
    void version() {
        Outcome o = runInProcess("--version");
        assertEquals(0, o.code());
        assertEquals("leakwatch " + Version.VERSION, o.out().trim());
    }

    @Test
    void userErrorsExitTwoWithOneLineAndNoStackTrace() throws Exception {
        Outcome o = runJvm("--collector.process.include=(unclosed");
        assertEquals(2, o.code());
        assertEquals(1, o.err().trim().lines().count(), o.err());
        assertTrue(o.err().startsWith("leakwatch: --collector.process.include: invalid regex"), o.err());
        assertFalse(o.err().contains("at io.leakwatch"), "no stack trace");
        assertEquals("", o.out());

        for (String[] args : new String[][]{{"--unknown.flag"}, {"--collectors.enabled=nope"}, {"--log.level=loud"},
                {"--path.procfs=/nonexistent"}}) {
            Outcome e = runInProcess(args);
            assertEquals(2, e.code(), String.join(" ", args));
            assertEquals(1, e.err().trim().lines().count(), e.err());
            assertTrue(e.err().startsWith("leakwatch: "), e.err());
        }
    }

    @Test
    void portInUseExitsTwoNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Outcome o = runJvm("--web.listen-address=" + address);
            assertEquals(2, o.code(), o.err());
            assertEquals("leakwatch: --web.listen-address: cannot listen on " + address
                    + ": address already in use (another process listens on that port)", o.err().strip(),
                    "exactly one line, nothing logged before it");
        }
    }

    /**
     * windows_exporter's warning, word for word, once at start when no filter is given (when it is
     * not, ProcessFilter.selectsAll() says so: SettingsTest).
     */
    @Test
    void noFilterGivenIsOneWarningAtStart() throws Exception {
        String warning = "level=WARN source=Main.java";
        String text = "msg=\"No filters specified for process collector. This will generate a very large number of metrics!\" collector=process";
        List<String> unfiltered = startupLog();
        assertEquals(1, unfiltered.stream().filter(l -> l.contains(warning) && l.endsWith(text)).count(), String.join("\n", unfiltered));
    }

    /** The log lines of a real start, up to the line that says it listens. */
    private static List<String> startupLog(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--leak.state-file="));
        all.addAll(List.of(args));
        try (ChildExporter child = ChildExporter.start(List.of(), all.toArray(String[]::new))) {
            return child.log();
        }
    }

    @Test
    void anUnresolvableHostIsNotAPortInUse() throws Exception {
        Outcome o = runJvm("--web.listen-address=no-such-host.invalid:9182");
        assertEquals(2, o.code(), o.err());
        assertEquals("leakwatch: --web.listen-address: cannot listen on no-such-host.invalid:9182: cannot resolve host"
                + " 'no-such-host.invalid'", o.err().strip(), "exactly one line, nothing logged before it");
    }

    @Test
    void anAddressOfAnotherMachineSaysSo() throws Exception {
        Outcome o = runJvm("--web.listen-address=192.0.2.1:9182"); // TEST-NET-1: never this machine's (bind only, no traffic)
        assertEquals(2, o.code(), o.err());
        assertEquals("leakwatch: --web.listen-address: cannot listen on 192.0.2.1:9182: cannot assign requested address"
                + " (not an address of this machine)", o.err().strip());
    }

    @Test
    void diagnoseReportsOnThisMachineAndRefusesBadFlags() {
        java.io.ByteArrayOutputStream outBytes = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream errBytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(outBytes, true, java.nio.charset.StandardCharsets.UTF_8);
        java.io.PrintStream err = new java.io.PrintStream(errBytes, true, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, Main.run(java.util.List.of("diagnose"), out, err), errBytes.toString());
        String report = outBytes.toString();
        assertTrue(report.startsWith("leakwatch "), report);
        assertTrue(report.contains(" diagnose: "), report);
        if (System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            assertTrue(report.contains("leakwatch's own pid " + ProcessHandle.current().pid() + ": "), report);
        }
        assertEquals(2, Main.run(java.util.List.of("diagnose", "--no-such-flag"), out, err));
        assertTrue(errBytes.toString().startsWith("leakwatch: "), errBytes.toString());
    }
}
