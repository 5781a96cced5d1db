package io.leakwatch.metrics;

import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Single flight and deadlines, over a backend whose collection the test holds and lets go: no sleeps, no timing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScrapeCoordinatorTest {

    /** A collection that waits for {@link #release} (each collection, until released once). */
    static final class HeldBackend implements ProcessBackend {
        final AtomicInteger collections = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        volatile boolean fail;
        volatile boolean collecting;
        volatile boolean closed;
        volatile boolean closedWhileCollecting;

        @Override
        public String name() {
            return "held";
        }

        @Override
        public ProcessSnapshot collect() throws BackendException {
            collections.incrementAndGet();
            collecting = true;
            entered.countDown();
            try {
                awaitRelease(); // as a read of /proc or a Windows call: an interrupt does not end it
            } finally {
                collecting = false;
            }
            if (fail) {
                throw new BackendException("simulated OS failure");
            }
            return new ProcessSnapshot(List.of(), 0, 0);
        }

        private void awaitRelease() throws BackendException {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        if (!released.await(30, TimeUnit.SECONDS)) {
                            throw new BackendException("never released");
                        }
                        return;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void release() {
            released.countDown();
        }

        @Override
        public void close() {
            closedWhileCollecting = collecting;
            closed = true;
        }
    }

    @Test
    void aDeadlineThatHasPassedReportsATimeoutAtOnceAndTheCollectionStillServesTheNextScrape() throws Exception {
        HeldBackend backend = new HeldBackend();
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            CompletableFuture<CollectionResult> listened = new CompletableFuture<>();
            coordinator.addListener(listened::complete);
            CollectionResult late = coordinator.collect(-0.2); // a 0.3 s header minus the 0.5 s margin
            assertTrue(late.timedOut(), "answered while the collection it started is still held");
            assertFalse(late.success());
            backend.release();
            assertTrue(listened.get(20, TimeUnit.SECONDS).success(), "the collection it started went on");
            assertSame(listened.join(), coordinator.latest(), "and serves the next scrape");
            assertEquals(1, backend.collections.get());
        }
    }

    /** Scrapes that arrive while a collection is in flight join it (a passed deadline joins and returns at once). */
    @Test
    void scrapesArrivingTogetherShareOneCollection() throws Exception {
        HeldBackend backend = new HeldBackend();
        ExecutorService first = Executors.newSingleThreadExecutor();
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            var waiting = first.submit(() -> coordinator.collect(30));
            assertTrue(backend.entered.await(20, TimeUnit.SECONDS));
            for (int i = 0; i < 4; i++) {
                assertTrue(coordinator.collect(0).timedOut());
            }
            assertEquals(1, backend.collections.get(), "five overlapping scrapes, one /proc walk");
            backend.release();
            assertTrue(waiting.get(20, TimeUnit.SECONDS).success());
            assertTrue(coordinator.collect(10).success());
            assertEquals(2, backend.collections.get(), "a later scrape collects afresh");
        } finally {
            first.shutdownNow();
        }
    }

    @Test
    void aMissedDeadlineIsReportedAsTimeout() throws Exception {
        HeldBackend backend = new HeldBackend();
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            CollectionResult late = coordinator.collect(0.05); // the deadline itself is the wait
            assertTrue(late.timedOut());
            assertFalse(late.success());
            assertNull(late.snapshot());
            Exposition exposition = new Exposition(coordinator, false, List.of());
            StringWriter out = new StringWriter();
            exposition.write(out, Exposition.contentType(null), Set.of("process"), 0.05, System.nanoTime());
            String body = out.toString();
            assertTrue(body.contains("windows_exporter_collector_timeout{collector=\"process\",} 1.0"), body);
            assertTrue(body.contains("windows_exporter_collector_success{collector=\"process\",} 0.0"));
            assertFalse(body.contains("windows_process_info"));
            backend.release();
        }
    }

    @Test
    void aFailedCollectionIsSuccessZeroAndTheNextOneRecovers() throws Exception {
        HeldBackend backend = new HeldBackend();
        backend.release();
        backend.fail = true;
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            CollectionResult failed = coordinator.collect(20);
            assertFalse(failed.success());
            assertFalse(failed.timedOut());
            backend.fail = false;
            assertTrue(coordinator.collect(20).success());
        }
    }

    /**
     * A stop while a collection is stuck (its scrape gave up) waits for the collector before it
     * closes the backend, which the collection still uses. The collection is let go only once the
     * stop waits for the collector thread: a stop that does not wait (or waits for no time) closes
     * the backend under it.
     */
    @Test
    void closeWaitsForTheCollectionInFlightBeforeClosingTheBackend() throws Exception {
        HeldBackend backend = new HeldBackend();
        ExecutorService collector = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>()) {
            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
                if (timeout > 0) {
                    backend.release(); // a stop that waits for a while sees the collection end
                }
                return super.awaitTermination(timeout, unit);
            }
        };
        ScrapeCoordinator coordinator = new ScrapeCoordinator(backend, collector);
        assertTrue(coordinator.collect(-1).timedOut());
        assertTrue(backend.entered.await(20, TimeUnit.SECONDS));
        coordinator.close();
        assertTrue(backend.closed);
        assertFalse(backend.closedWhileCollecting, "the backend was closed under the collection still using it");
        assertTrue(collector.isTerminated());
    }
}
