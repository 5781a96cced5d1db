package io.leakwatch.metrics;

import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSnapshot;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScrapeCoordinatorTest {

    /** The real procfs backend, slowed down so that scrapes overlap and deadlines pass. */
    static final class SlowBackend implements ProcessBackend {
        final ProcessBackend real = new LinuxProcBackend(Path.of("/proc"), ProcessFilter.all(), false);
        final AtomicInteger collections = new AtomicInteger();
        final long delayMillis;
        volatile boolean fail;

        SlowBackend(long delayMillis) {
            this.delayMillis = delayMillis;
        }

        @Override
        public String name() {
            return "slow-linux";
        }

        @Override
        public ProcessSnapshot collect() throws BackendException {
            collections.incrementAndGet();
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fail) {
                throw new BackendException("simulated OS failure");
            }
            return real.collect();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void aDeadlineThatHasPassedReportsATimeoutAtOnceAndTheCollectionStillServesTheNextScrape() throws Exception {
        SlowBackend backend = new SlowBackend(300);
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            java.util.concurrent.CompletableFuture<CollectionResult> listened = new java.util.concurrent.CompletableFuture<>();
            coordinator.addListener(listened::complete);
            long start = System.nanoTime();
            CollectionResult late = coordinator.collect(-0.2); // a 0.3 s header minus the 0.5 s margin
            assertTrue((System.nanoTime() - start) / 1e6 < 200, "answered without waiting for the 300 ms collection");
            assertTrue(late.timedOut());
            assertFalse(late.success());
            assertTrue(listened.get(10, java.util.concurrent.TimeUnit.SECONDS).success(), "the collection it started went on");
            assertEquals(1, backend.collections.get());
        }
    }

    @Test
    void scrapesArrivingTogetherShareOneCollection() throws Exception {
        SlowBackend backend = new SlowBackend(400);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            List<Future<CollectionResult>> results = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                results.add(pool.submit(() -> coordinator.collect(10)));
            }
            for (Future<CollectionResult> r : results) {
                assertTrue(r.get().success());
            }
            assertEquals(1, backend.collections.get(), "five overlapping scrapes, one /proc walk");
            assertTrue(coordinator.collect(10).success());
            assertEquals(2, backend.collections.get(), "a later scrape collects afresh");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMissedDeadlineIsReportedAsTimeout() throws Exception {
        SlowBackend backend = new SlowBackend(1500);
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            CollectionResult late = coordinator.collect(0.2);
            assertTrue(late.timedOut());
            assertFalse(late.success());
            assertNull(late.snapshot());
            Exposition exposition = new Exposition(coordinator, false, List.of());
            StringWriter out = new StringWriter();
            exposition.write(out, Exposition.contentType(null), Set.of("process"), 0.1, System.nanoTime());
            String body = out.toString();
            assertTrue(body.contains("windows_exporter_collector_timeout{collector=\"process\",} 1.0"), body);
            assertTrue(body.contains("windows_exporter_collector_success{collector=\"process\",} 0.0"));
            assertFalse(body.contains("windows_process_info"));
        }
    }

    @Test
    void aFailedCollectionIsSuccessZeroAndTheNextOneRecovers() throws Exception {
        SlowBackend backend = new SlowBackend(0);
        backend.fail = true;
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            CollectionResult failed = coordinator.collect(5);
            assertFalse(failed.success());
            assertFalse(failed.timedOut());
            backend.fail = false;
            assertTrue(coordinator.collect(5).success());
        }
    }
}
