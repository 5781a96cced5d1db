package io.leakwatch.guard;

import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import io.leakwatch.testing.ExpositionCheck;
import io.leakwatch.testing.ManualScheduler;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.TestExporter;
import io.leakwatch.testing.TestSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redaction and the cardinality guard through a real server over a procfs fixture. */
class ProcessGuardsTest {
    @TempDir
    Path tmp;

    @Test
    void cmdlineSecretsNeverReachTheScrapeAndTheRegexRunsOncePerLifetime() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(10, "mysqld", "/usr/sbin/mysqld --user=mysql --password=hunter2", 1000);
        proc.addProcess(11, "psql", "psql postgres://admin:pa55w0rd@db/app", 1000);
        proc.addProcess(12, "sshd", "/usr/sbin/sshd -D", 1000);
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root())) {
                        for (int i = 0; i < 5; i++) {
                String body = e.scrape();
                assertFalse(body.contains("hunter2") || body.contains("pa55w0rd"), body);
                assertTrue(body.contains("cmdline=\"/usr/sbin/mysqld --user=mysql --password=***\""), body);
                assertTrue(body.contains("cmdline=\"psql postgres://admin:***@db/app\""), body);
                assertTrue(body.contains("cmdline=\"/usr/sbin/sshd -D\""), body);
            }
            assertEquals(3, redacting(e).redactions(), "regex ran more than once per process lifetime");

            // a new lifetime under the same pid (new start time) is redacted afresh
            java.nio.file.Files.writeString(proc.dir(10).resolve("stat"), ProcFixture.stat(10, "mysqld", 99_999));
            java.nio.file.Files.write(proc.dir(10).resolve("cmdline"), "mysqld\0--password=other\0".getBytes());
            String body = e.scrape();
            assertTrue(body.contains("cmdline=\"mysqld --password=***\""), body);
            assertEquals(4, redacting(e).redactions());
        }
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--collector.process.cmdline-redact=")) {
            assertTrue(e.scrape().contains("psql postgres://admin:pa55w0rd@db/app"),
                    "an empty regex turns redaction off");
        }
    }

    @Test
    void maxProcessesKeepsTheLargestByPrivateBytesAndCountsTheRest() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        for (int pid = 100; pid < 130; pid++) {
            proc.addProcess(pid, "p" + pid, "p" + pid, (pid - 99) * 1000L); // pid 129 is the largest
        }
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--collector.process.max-processes=5")) {
            String body = e.scrape();
            ExpositionCheck.assertWellFormed(body);
            Matcher m = Pattern.compile("windows_process_info\\{process=\"p(\\d+)\"").matcher(body);
            java.util.Set<Integer> kept = new java.util.TreeSet<>();
            while (m.find()) {
                kept.add(Integer.parseInt(m.group(1)));
            }
            assertEquals(java.util.Set.of(125, 126, 127, 128, 129), kept, body);
            assertTrue(body.contains("leakwatch_collector_dropped_processes{collector=\"process\",} 25.0"), body);
        }
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root())) {
            String body = e.scrape();
            assertEquals(30, body.lines().filter(l -> l.startsWith("windows_process_info{")).count(), "default is generous");
            assertTrue(body.contains("leakwatch_collector_dropped_processes{collector=\"process\",} 0.0"), body);
        }
    }

    private static RedactingBackend redacting(TestExporter e) {
        return (RedactingBackend) ((GuardingBackend) e.exporter.backend()).delegate();
    }

    /** Linux: a 15-byte comm that starts argv[0]'s basename is replaced by the basename, secrets and all. */
    @Test
    void aNameTakenFromArgvZeroIsRedactedAndCappedWithACount() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(20, "token=abcdefghi", "/opt/token=abcdefghijklmnop --x", 1000);
        String longName = "aaaaaaaaaaaaaaa" + "b".repeat(300) + "\u00e9";
        proc.addProcess(21, "aaaaaaaaaaaaaaa", "/opt/" + longName + " --y", 1000);
        proc.addProcess(22, "short", "short", 1000);
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root())) {
            String body = e.scrape();
            ExpositionCheck.assertWellFormed(body);
            assertFalse(body.contains("abcdefghijklmnop"), body);
            assertTrue(body.contains("windows_process_info{process=\"token=***\",process_id=\"20\""), body);
            String cut = "aaaaaaaaaaaaaaa" + "b".repeat(LabelCapBackend.MAX_NAME_BYTES - 15 - 3) + "...";
            assertTrue(body.contains("windows_process_threads{process=\"" + cut + "\",process_id=\"21\",}"), body);
            assertFalse(body.contains("process=\"aaaaaaaaaaaaaaa" + "b".repeat(200)), "the long name is on no series");
            assertTrue(body.contains("leakwatch_collector_cut_names{collector=\"process\",} 1.0"), body);
            assertTrue(body.contains("leakwatch_collector_pending_redaction_processes{collector=\"process\",} 0.0"), body);
        }
        assertEquals("\u00e9".repeat(62) + "...", LabelCapBackend.cap("\u00e9".repeat(100)), "cut on a character boundary (2 bytes each)");
        assertEquals("\u20ac".repeat(41) + "...", LabelCapBackend.cap("\u20ac".repeat(100)), "cut on a character boundary (3 bytes each)");
        assertEquals("x".repeat(128), LabelCapBackend.cap("x".repeat(128)), "128 bytes fit");
    }

    /**
     * A command line of 10,000 characters becomes a cmdline label of at most 2,048 bytes (so at most
     * 2,048 characters) ending with the marker, cut on a character boundary, after redaction: a
     * secret across the cut is hidden whole, never shown in part.
     */
    @Test
    void aLongCommandLineIsCutToTheLabelCapAfterRedaction() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        // the secret starts 14 characters before the cut: masked it takes those 14 (--password=***);
        // cut first, it would show --password=top
        String head = "/usr/bin/java -Xmx1g " + "-Dsome.property=value ".repeat(91) + "-Dab=cd "; // 2,031 characters
        String cmdline = head + "--password=topsecretpassword " + "-Dx=y ".repeat(1323);
        cmdline += "z".repeat(10_000 - cmdline.length());
        assertEquals(2_031, head.length());
        assertEquals(10_000, cmdline.length());
        proc.addProcess(40, "java", cmdline, 1000);
        String emoji = "\uD83D\uDE00"; // one character, a surrogate pair, 4 bytes of UTF-8
        proc.addProcess(41, "emoji", "run " + emoji.repeat(2_000), 1000);
        proc.addProcess(42, "short", "short --flag", 1000);
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root())) {
            String body = e.scrape();
            ExpositionCheck.assertWellFormed(body);
            String javaLine = cmdlineLabel(body, 40);
            assertTrue(javaLine.getBytes(UTF_8).length <= LabelCapBackend.DEFAULT_CMDLINE_BYTES, javaLine.length() + " chars");
            assertTrue(javaLine.length() <= 2048);
            assertTrue(javaLine.endsWith("..."), "a visible marker");
            assertTrue(javaLine.startsWith(head), "the start of the command line is kept");
            assertEquals(head + "--password=***...", javaLine, "the secret across the cut is hidden whole, not shown in part");
            String smiles = cmdlineLabel(body, 41);
            assertTrue(smiles.getBytes(UTF_8).length <= 2048);
            assertEquals("run " + emoji.repeat((2048 - 3 - 4) / 4) + "...", smiles, "cut between characters, never inside a surrogate pair");
            assertEquals("short --flag", cmdlineLabel(body, 42));
            assertTrue(body.contains("leakwatch_collector_cut_names{collector=\"process\",} 0.0"), "command lines are not names");
        }
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--collector.process.cmdline-max-length=0")) {
            String body = e.scrape();
            assertEquals(cmdline.replace("topsecretpassword", "***"), cmdlineLabel(body, 40), "0: no limit, redaction still on");
        }
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--collector.process.cmdline-max-length=20")) {
            String body = e.scrape();
            assertEquals("/usr/bin/java -Xm...", cmdlineLabel(body, 40));
            assertEquals("run " + emoji.repeat(3) + "...", cmdlineLabel(body, 41), "4 + 3 x 4 + 3 = 19 bytes");
        }
        assertEquals("x".repeat(2048), LabelCapBackend.cap("x".repeat(2048), 2048), "2,048 bytes fit");
        assertEquals("x".repeat(2045) + "...", LabelCapBackend.cap("x".repeat(2049), 2048));
        String lone = "a\uD800b"; // an unpaired surrogate counts as the 3 bytes of the replacement character
        assertEquals(lone, LabelCapBackend.cap(lone, 5));
        assertEquals("a...", LabelCapBackend.cap(lone + "c", 5));
    }

    /** The cmdline label of the process with this pid, unescaped. */
    private static String cmdlineLabel(String body, long pid) {
        String line = body.lines().filter(l -> l.startsWith("windows_process_info{") && l.contains("process_id=\"" + pid + "\","))
                .findFirst().orElseThrow(() -> new AssertionError("no windows_process_info for pid " + pid));
        StringBuilder value = new StringBuilder();
        for (int i = line.indexOf("cmdline=\"") + "cmdline=\"".length(); line.charAt(i) != '"'; i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                c = line.charAt(++i);
                value.append(c == 'n' ? '\n' : c);
            } else {
                value.append(c);
            }
        }
        return value.toString();
    }

    /**
     * Kernel threads (PF_KTHREAD in stat's flags) are left out by default and counted; the flag brings
     * them back. And every skip reason is a series of the counter, from the first scrape.
     */
    @Test
    void kernelThreadsAreLeftOutAndCountedUnlessAskedFor() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(2, "kthreadd", "", 0);
        java.nio.file.Files.writeString(proc.dir(2).resolve("stat"), ProcFixture.stat(2, "kthreadd", 1002).replace(" 4194560 ", " 2129984 "));
        proc.addProcess(50, "nginx", "nginx", 1000);
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root())) {
            e.scrape();
            String body = e.scrape();
            assertFalse(body.contains("process=\"kthreadd\""), "no kernel thread series by default");
            assertTrue(body.contains("windows_process_info{process=\"nginx\""), body);
            double skipped = counter(body, "kernel_thread");
            assertTrue(skipped >= 2, "one kernel thread in each collection: " + skipped);
            for (String reason : java.util.List.of("vanished", "malformed", "unreadable", "kernel_thread", "max_processes", "pending_redaction")) {
                assertTrue(body.contains("leakwatch_collector_skipped_processes_total{collector=\"process\",reason=\"" + reason + "\",}"), reason);
            }
        }
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--collector.process.kernel-threads")) {
            String body = e.scrape();
            assertTrue(body.contains("windows_process_info{process=\"kthreadd\",process_id=\"2\""), body);
            assertEquals(0.0, counter(body, "kernel_thread"));
        }
        // a filter that leaves the kernel thread out anyway: not counted as skipped, it was never selected
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--collector.process.include=nginx")) {
            assertEquals(0.0, counter(e.scrape(), "kernel_thread"));
        }
    }

    /** Processes over --collector.process.max-processes are skipped with their reason too. */
    @Test
    void processesOverTheLimitAreCountedAsSkipped() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        for (int pid = 100; pid < 110; pid++) {
            proc.addProcess(pid, "p" + pid, "p" + pid, 1000);
        }
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--collector.process.max-processes=4")) {
            e.scrape();
            double once = counter(e.scrape(), "max_processes");
            assertTrue(once >= 12 && once % 6 == 0, "6 left out per collection: " + once);
        }
    }

    /** The skipped-processes counter for one reason. */
    private static double counter(String body, String reason) {
        Matcher m = Pattern.compile("leakwatch_collector_skipped_processes_total\\{collector=\"process\",reason=\"" + reason
                + "\",} (\\S+)").matcher(body);
        assertTrue(m.find(), "no counter for " + reason + ":\n" + body);
        return Double.parseDouble(m.group(1));
    }

    /** With no time to wait, a new process is left out until its redaction is done, never shown unredacted. */
    @Test
    void processesWaitingForRedactionAreLeftOutNotShownRaw() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        for (int pid = 30; pid < 60; pid++) {
            proc.addProcess(pid, "p" + pid, "svc --password=secret" + pid + " " + "x".repeat(20_000), 1000);
        }
        io.leakwatch.Settings settings = TestSettings.of("--path.procfs=" + proc.root());
        ManualScheduler redactionThread = new ManualScheduler(java.time.Instant.EPOCH);
        try (io.leakwatch.model.ProcessBackend backend = new RedactingBackend(io.leakwatch.backend.Backends.forThisMachine(
                settings.process()), CmdlineRedactor.of(GuardSettings.DEFAULT_REDACT_REGEX), 0, redactionThread)) {
            ProcessSnapshot before = backend.collect();
            assertEquals(0, before.processes().size(), "no time to wait: every new process is handed to the redaction thread");
            assertEquals(30, before.pendingRedaction(), "and counted as pending");
            redactionThread.runDue();
            ProcessSnapshot after = backend.collect();
            assertEquals(30, after.processes().size(), "every process appears once its redaction is done");
            assertEquals(0, after.pendingRedaction());
            after.processes().forEach(p -> assertFalse(p.info().cmdline().contains("secret"), p.info().cmdline()));
            assertEquals(0, redactionThread.pending(), "a redacted lifetime is not redacted again");
        }
    }

    @Test
    void theLimitKeepsTheLargestAndTreatsMissingPrivateBytesAsSmallest() throws Exception {
        java.util.List<ProcessSample> samples = new java.util.ArrayList<>();
        for (double bytes : new double[]{ProcessSample.ABSENT, 3e6, 1e6, ProcessSample.ABSENT, 2e6}) {
            samples.add(sample(samples.size() + 1, bytes));
        }
        ProcessSnapshot limited = new ProcessLimitBackend(new Fixed(new ProcessSnapshot(samples, 0, 0)), 3).collect();
        assertEquals(java.util.List.of(2L, 5L, 3L), limited.processes().stream().map(p -> p.info().pid()).toList());
        assertEquals(2, limited.droppedOverLimit(), "the two without a value are left out first");
    }

    /**
     * A command line too long to fit for sure (more than a third of the cap in characters) but short
     * enough in bytes is counted once in its lifetime, like one that is cut: not on every scrape.
     */
    @Test
    void aLongCommandLineThatFitsIsCountedOnce() throws Exception {
        double n = ProcessSample.ABSENT;
        String fits = "/usr/lib/chromium/chromium --type=renderer " + "--flag=value ".repeat(120); // about 1,600 bytes
        ProcessSample longOne = new ProcessSample(ProcessInfo.of("chromium", 7, 1, 7, "root", fits, 1_764_150_000),
                n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n);
        ProcessSample shortOne = sample(8, 1e6);
        ProcessSnapshot snapshot = new ProcessSnapshot(java.util.List.of(longOne, shortOne), 0, 0);
        try (LabelCapBackend capped = new LabelCapBackend(new Fixed(snapshot))) {
            assertEquals(snapshot, capped.collect(), "nothing to cut: the same snapshot");
            assertEquals(1, capped.remembered(), "the long command line's count is kept for its lifetime; the short one needs none");
            assertEquals(snapshot, capped.collect());
            assertEquals(1, capped.remembered());
        }
    }

    private static ProcessSample sample(long pid, double privateBytes) {
        double n = ProcessSample.ABSENT;
        return new ProcessSample(ProcessInfo.of("p" + pid, pid, 1, pid, "root", "p", 1_764_150_000), n, n, n, n, n, n, n, n, n, n,
                n, n, n, n, n, privateBytes, n, n, n, n);
    }

    /** A backend that always answers the same snapshot. */
    private record Fixed(ProcessSnapshot snapshot) implements io.leakwatch.model.ProcessBackend {
        @Override
        public String name() {
            return "fixed";
        }

        @Override
        public ProcessSnapshot collect() {
            return snapshot;
        }

        @Override
        public void close() {
        }
    }
}
