package io.leakwatch.guard;

import io.leakwatch.Exporter;
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
            assertEquals(3, ((RedactingBackend) e.backend()).redactions(), "regex ran more than once per process lifetime");

            // a new lifetime under the same pid (new start time) is redacted afresh
            java.nio.file.Files.writeString(proc.dir(10).resolve("stat"), ProcFixture.stat(10, "mysqld", 99_999));
            java.nio.file.Files.write(proc.dir(10).resolve("cmdline"), "mysqld\0--password=other\0".getBytes());
            String body = Http.body(Http.get(port, "/metrics"));
            assertTrue(body.contains("cmdline=\"mysqld --password=***\""), body);
            assertEquals(4, ((RedactingBackend) e.backend()).redactions());
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

    @Test
    void limitOrderTreatsMissingPrivateBytesAsSmallest() {
        ProcessSnapshot empty = new ProcessSnapshot(java.util.List.of(), 0, 0);
        assertEquals(0, empty.droppedOverLimit());
    }
}
