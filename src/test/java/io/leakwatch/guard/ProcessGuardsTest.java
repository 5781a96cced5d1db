package io.leakwatch.guard;

import io.leakwatch.Exporter;
import io.leakwatch.guard.GuardSettings;
import io.leakwatch.model.ProcessSnapshot;
import io.leakwatch.testing.ExpositionCheck;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.TestSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        try (Exporter e = Exporter.start(TestSettings.of("--path.procfs=" + proc.root()))) {
            int port = e.ports().get(0);
            for (int i = 0; i < 5; i++) {
                String body = Http.body(Http.get(port, "/metrics"));
                assertFalse(body.contains("hunter2") || body.contains("pa55w0rd"), body);
                assertTrue(body.contains("cmdline=\"/usr/sbin/mysqld --user=mysql --password=***\""), body);
                assertTrue(body.contains("cmdline=\"psql postgres://admin:***@db/app\""), body);
                assertTrue(body.contains("cmdline=\"/usr/sbin/sshd -D\""), body);
            }
            assertEquals(3, redacting(e).redactions(), "regex ran more than once per process lifetime");

            // a new lifetime under the same pid (new start time) is redacted afresh
            java.nio.file.Files.writeString(proc.dir(10).resolve("stat"), ProcFixture.stat(10, "mysqld", 99_999));
            java.nio.file.Files.write(proc.dir(10).resolve("cmdline"), "mysqld\0--password=other\0".getBytes());
            String body = Http.body(Http.get(port, "/metrics"));
            assertTrue(body.contains("cmdline=\"mysqld --password=***\""), body);
            assertEquals(4, redacting(e).redactions());
        }
        try (Exporter e = Exporter.start(TestSettings.of("--path.procfs=" + proc.root(), "--collector.process.cmdline-redact="))) {
            assertTrue(Http.body(Http.get(e.ports().get(0), "/metrics")).contains("psql postgres://admin:pa55w0rd@db/app"),
                    "an empty regex turns redaction off");
        }
    }

    @Test
    void maxProcessesKeepsTheLargestByPrivateBytesAndCountsTheRest() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        for (int pid = 100; pid < 130; pid++) {
            proc.addProcess(pid, "p" + pid, "p" + pid, (pid - 99) * 1000L); // pid 129 is the largest
        }
        try (Exporter e = Exporter.start(TestSettings.of("--path.procfs=" + proc.root(), "--collector.process.max-processes=5"))) {
            String body = Http.body(Http.get(e.ports().get(0), "/metrics"));
            ExpositionCheck.assertWellFormed(body);
            Matcher m = Pattern.compile("windows_process_info\\{process=\"p(\\d+)\"").matcher(body);
            java.util.Set<Integer> kept = new java.util.TreeSet<>();
            while (m.find()) {
                kept.add(Integer.parseInt(m.group(1)));
            }
            assertEquals(java.util.Set.of(125, 126, 127, 128, 129), kept, body);
            assertTrue(body.contains("leakwatch_collector_dropped_processes{collector=\"process\",} 25.0"), body);
        }
        try (Exporter e = Exporter.start(TestSettings.of("--path.procfs=" + proc.root()))) {
            String body = Http.body(Http.get(e.ports().get(0), "/metrics"));
            assertEquals(30, body.lines().filter(l -> l.startsWith("windows_process_info{")).count(), "default is generous");
            assertTrue(body.contains("leakwatch_collector_dropped_processes{collector=\"process\",} 0.0"), body);
        }
    }

    private static RedactingBackend redacting(Exporter e) {
        return (RedactingBackend) ((GuardingBackend) e.backend()).delegate();
    }

    /** Linux: a 15-byte comm that starts argv[0]'s basename is replaced by the basename, secrets and all. */
    @Test
    void aNameTakenFromArgvZeroIsRedactedAndCappedWithACount() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(20, "token=abcdefghi", "/opt/token=abcdefghijklmnop --x", 1000);
        String longName = "aaaaaaaaaaaaaaa" + "b".repeat(300) + "\u00e9";
        proc.addProcess(21, "aaaaaaaaaaaaaaa", "/opt/" + longName + " --y", 1000);
        proc.addProcess(22, "short", "short", 1000);
        try (Exporter e = Exporter.start(TestSettings.of("--path.procfs=" + proc.root()))) {
            String body = Http.body(Http.get(e.ports().get(0), "/metrics"));
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

    /** With no time to wait, a new process is left out until its redaction is done, never shown unredacted. */
    @Test
    void processesWaitingForRedactionAreLeftOutNotShownRaw() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        for (int pid = 30; pid < 60; pid++) {
            proc.addProcess(pid, "p" + pid, "svc --password=secret" + pid + " " + "x".repeat(20_000), 1000);
        }
        io.leakwatch.Settings settings = TestSettings.of("--path.procfs=" + proc.root());
        try (io.leakwatch.model.ProcessBackend backend = new RedactingBackend(
                io.leakwatch.backend.Backends.forThisMachine(settings.process()), CmdlineRedactor.of(GuardSettings.DEFAULT_REDACT_REGEX), 0)) {
            int shown = 0;
            for (int i = 0; i < 200 && shown < 30; i++) {
                ProcessSnapshot snapshot = backend.collect();
                shown = snapshot.processes().size();
                assertEquals(30, shown + snapshot.pendingRedaction(), "every process is shown or counted as pending");
                snapshot.processes().forEach(p -> assertFalse(p.info().cmdline().contains("secret"), p.info().cmdline()));
                Thread.sleep(10);
            }
            assertEquals(30, shown, "every process appears once its redaction is done");
        }
    }

    @Test
    void limitOrderTreatsMissingPrivateBytesAsSmallest() {
        ProcessSnapshot empty = new ProcessSnapshot(java.util.List.of(), 0, 0);
        assertEquals(0, empty.droppedOverLimit());
    }
}
