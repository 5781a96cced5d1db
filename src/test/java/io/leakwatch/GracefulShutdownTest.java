package io.leakwatch;

import io.leakwatch.testing.Await;
import io.leakwatch.testing.ChildExporter;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertFalse(accepts(port), "port " + port + " still accepts connections");
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /**
     * The stop closes the port first and then waits for the scrape in flight; a stop that does not
     * wait closes that scrape's connection right after the port, in the same thread, long before
     * the test has seen the port closed and released the scrape. So the scrape's answer says
     * whether the stop waited, with no sleep. (SIGINT takes the same path: idleExporterStopsAtOnce.)
     */
    @Test
    void sigtermLetsTheScrapeInFlightFinishThenExitsZero() throws Exception {
        ProcFixture proc = fixtureWithBlockingProcess();
        Path state = tmp.resolve("leak-state.json");
        try (ChildExporter child = ChildExporter.start(List.of(), "--path.procfs=" + proc.root(), "--leak.state-file=" + state)) {
            assertEquals(200, RawHttp.status(RawHttp.exchange(child.port, SCRAPE)));
            Path fifo = proc.blockingStat(42);
            CompletableFuture<String> inFlight = scrapeAsync(child.port);
            child.awaitBlockedOnPipe(); // the scrape now waits on the pipe
            child.signal("TERM");
            child.awaitLog("saying the stop began", l -> l.contains("SIGTERM received"));
            Await.until("the port closed", () -> !accepts(child.port));
            assertTrue(child.process.isAlive(), "exited before the scrape in flight finished");
            assertFalse(inFlight.isDone(), "the scrape in flight was cut: " + (inFlight.isDone() ? inFlight.join() : ""));
            ProcFixture.release(fifo, 42, "worker");
            String answer = inFlight.get(20, TimeUnit.SECONDS);
            assertEquals(200, RawHttp.status(answer), answer);
            assertTrue(answer.contains("windows_process_info{process=\"worker\""), answer);
            assertTrue(child.process.waitFor(20, TimeUnit.SECONDS), "did not exit after the scrape ended");
            assertEquals(0, child.process.exitValue(), String.join("\n", child.log()));
            assertEquals(List.of(), child.exceptionLines(), String.join("\n", child.log()));
            assertTrue(child.log().stream().anyMatch(l -> l.contains("stopped")), String.join("\n", child.log()));
            // the last thing close() does before exit: everything before it ran too
            assertTrue(java.nio.file.Files.size(state) > 0, "leak history not saved: close() was cut short");
        }
    }

    /**
     * A collection still stuck after its scrape gave up (deadline passed): the port closes at once,
     * not after the 5 s the stop then waits for the collector, and the process exits cleanly once
     * the collector lets go. (That the stop waits for the collector before it frees the backend is
     * ScrapeCoordinatorTest's, where the wait is seen.)
     */
    @Test
    void stopClosesThePortBeforeItWaitsForAStuckCollection() throws Exception {
        ProcFixture proc = fixtureWithBlockingProcess();
        try (ChildExporter child = ChildExporter.start(List.of(), "--path.procfs=" + proc.root(), "--no-leak.enabled")) {
            Path fifo = proc.blockingStat(42);
            String gaveUp = RawHttp.exchange(child.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                    + "X-Prometheus-Scrape-Timeout-Seconds: 1\r\nConnection: close\r\n\r\n");
            assertEquals(200, RawHttp.status(gaveUp));
            assertTrue(gaveUp.contains("windows_exporter_collector_timeout{collector=\"process\",} 1.0"), gaveUp);
            long signalled = System.nanoTime();
            child.signal("TERM");
            Await.until("the port closed", () -> !accepts(child.port));
            assertTrue(System.nanoTime() - signalled < TimeUnit.SECONDS.toNanos(4), "the port stayed open while the stop waited");
            assertTrue(child.process.isAlive(), "exited while the collector still held the backend");
            ProcFixture.release(fifo, 42, "worker");
            assertTrue(child.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, child.process.exitValue());
            assertTrue(child.log().stream().anyMatch(l -> l.contains("stopped")), String.join("\n", child.log()));
        }
    }

    @Test
    void idleExporterStopsAtOnceOnSigint() throws Exception {
        ProcFixture proc = fixtureWithBlockingProcess();
        try (ChildExporter child = ChildExporter.start(List.of(), "--path.procfs=" + proc.root(), "--leak.state-file=")) {
            assertEquals(200, RawHttp.status(RawHttp.exchange(child.port, SCRAPE)));
            long start = System.nanoTime();
            child.signal("INT");
            assertTrue(child.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, child.process.exitValue());
            // nothing to wait for: far under the stop timeout (5 s) that a stop waiting for nothing would take
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "idle stop took over 3 s");
            assertPortClosed(child.port);
            assertTrue(child.log().stream().anyMatch(l -> l.contains("SIGINT received")), String.join("\n", child.log()));
        }
    }

    /** The second signal halts with 143; a stop that ignored it would wait out the scrape, which never ends, and exit 0. */
    @Test
    void aSecondSignalExitsAtOnce() throws Exception {
        ProcFixture proc = fixtureWithBlockingProcess();
        try (ChildExporter child = ChildExporter.start(List.of(), "--path.procfs=" + proc.root(), "--leak.state-file=")) {
            proc.blockingStat(42); // never released: the scrape would hold the stop for the whole stop timeout
            CompletableFuture<String> inFlight = scrapeAsync(child.port);
            child.awaitBlockedOnPipe();
            child.signal("TERM");
            child.awaitLog("saying the first signal is handled", l -> l.contains("SIGTERM received"));
            child.signal("TERM");
            assertTrue(child.process.waitFor(20, TimeUnit.SECONDS), "second signal did not exit");
            assertEquals(128 + 15, child.process.exitValue(), String.join("\n", child.log()));
            inFlight.get(20, TimeUnit.SECONDS); // the client sees the connection end, whatever it got
        }
    }
}
