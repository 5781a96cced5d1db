package io.leakwatch;

import io.leakwatch.testing.ChildExporter;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM / SIGINT on a real leakwatch JVM with a scrape held in flight by a named pipe in the procfs fixture. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GracefulShutdownTest {
    @TempDir
    Path tmp;

    private static final String SCRAPE = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    private ProcFixture fixtureWithBlockingProcess() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(42, "worker", "/usr/bin/worker", 4096);
        return proc;
    }

    private static CompletableFuture<String> scrapeAsync(int port) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.exchange(port, SCRAPE);
            } catch (IOException e) {
                return "IOException: " + e.getMessage();
            }
        });
    }

    private static void assertPortClosed(int port) {
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
        }, "port " + port + " still accepts connections");
    }

    @Test
    void sigtermLetsTheScrapeInFlightFinishThenExitsZero() throws Exception {
        for (String signal : List.of("TERM", "INT")) {
            ProcFixture proc = fixtureWithBlockingProcess();
            Path state = tmp.resolve("leak-state-" + signal + ".json");
            try (ChildExporter child = ChildExporter.start(List.of(), "--path.procfs=" + proc.root(), "--leak.state-file=" + state)) {
                assertEquals(200, RawHttp.status(RawHttp.exchange(child.port, SCRAPE)));
                Path fifo = proc.blockingStat(42);
                CompletableFuture<String> inFlight = scrapeAsync(child.port);
                child.awaitBlockedOnPipe(); // the scrape now waits on the pipe
                child.signal(signal);
                Thread.sleep(500);
                assertTrue(child.process.isAlive(), "exited before the scrape in flight finished");
                ProcFixture.release(fifo, 42, "worker");
                String answer = inFlight.get(10, TimeUnit.SECONDS);
                assertEquals(200, RawHttp.status(answer), answer);
                assertTrue(answer.contains("windows_process_info{process=\"worker\""), answer);
                assertTrue(child.process.waitFor(5, TimeUnit.SECONDS), "did not exit within 5 s of the scrape ending");
                assertEquals(0, child.process.exitValue(), String.join("\n", child.log()));
                assertPortClosed(child.port);
                assertEquals(List.of(), child.exceptionLines(), String.join("\n", child.log()));
                assertTrue(child.log().stream().anyMatch(l -> l.contains("stopped")), String.join("\n", child.log()));
                // the last thing close() does before exit: everything before it ran too
                assertTrue(java.nio.file.Files.size(state) > 0, "leak history not saved: close() was cut short");
            }
            java.nio.file.Files.deleteIfExists(state);
            java.nio.file.Files.walk(tmp).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * A collection still stuck after its scrape gave up (deadline passed): the port closes at once,
     * but the process must wait for the collector before it frees the backend and exits.
     */
    @Test
    void stopWaitsForAStuckCollectionAfterThePortClosed() throws Exception {
        ProcFixture proc = fixtureWithBlockingProcess();
        try (ChildExporter child = ChildExporter.start(List.of(), "--path.procfs=" + proc.root(), "--no-leak.enabled")) {
            Path fifo = proc.blockingStat(42);
            String gaveUp = RawHttp.exchange(child.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                    + "X-Prometheus-Scrape-Timeout-Seconds: 1\r\nConnection: close\r\n\r\n");
            assertEquals(200, RawHttp.status(gaveUp));
            assertTrue(gaveUp.contains("windows_exporter_collector_timeout{collector=\"process\",} 1.0"), gaveUp);
            child.signal("TERM");
            Thread.sleep(1500);
            assertPortClosed(child.port);
            assertTrue(child.process.isAlive(), "exited while the collector still held the backend:\n" + String.join("\n", child.log()));
            ProcFixture.release(fifo, 42, "worker");
            assertTrue(child.process.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, child.process.exitValue());
            Thread.sleep(200); // the log follower catches up
            assertTrue(child.log().stream().anyMatch(l -> l.contains("stopped")), String.join("\n", child.log()));
        }
    }

    @Test
    void idleExporterStopsAtOnce() throws Exception {
        ProcFixture proc = fixtureWithBlockingProcess();
        try (ChildExporter child = ChildExporter.start(List.of(), "--path.procfs=" + proc.root(), "--leak.state-file=")) {
            assertEquals(200, RawHttp.status(RawHttp.exchange(child.port, SCRAPE)));
            long start = System.nanoTime();
            child.signal("TERM");
            assertTrue(child.process.waitFor(5, TimeUnit.SECONDS));
            assertEquals(0, child.process.exitValue());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "idle stop took over 3 s");
            assertPortClosed(child.port);
        }
    }

    @Test
    void aSecondSignalExitsAtOnce() throws Exception {
        ProcFixture proc = fixtureWithBlockingProcess();
        try (ChildExporter child = ChildExporter.start(List.of(), "--path.procfs=" + proc.root(), "--leak.state-file=")) {
            proc.blockingStat(42); // never released: the scrape would hold the stop for the whole stop timeout
            CompletableFuture<String> inFlight = scrapeAsync(child.port);
            child.awaitBlockedOnPipe();
            child.signal("TERM");
            Thread.sleep(300);
            assertTrue(child.process.isAlive(), "the first signal must wait for the scrape in flight");
            long start = System.nanoTime();
            child.signal("TERM");
            assertTrue(child.process.waitFor(2, TimeUnit.SECONDS), "second signal did not exit at once");
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1500));
            assertEquals(128 + 15, child.process.exitValue());
            inFlight.get(10, TimeUnit.SECONDS); // the client sees the connection end, whatever it got
        }
    }
}
