package io.leakwatch.leak;

import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.leak.LeakSettings;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSnapshot;
import org.junit.jupiter.api.Test;

import io.leakwatch.testing.ManualScheduler;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The background sampler shares the collector: no second /proc walk when a scrape just ran. */
class LeakSamplingTest {
    /** The real procfs backend, counting its walks. */
    private static final class CountingBackend implements ProcessBackend {
        private final LinuxProcBackend real = new LinuxProcBackend(Path.of("/proc"), ProcessFilter.of("java", ""), false);
        final AtomicInteger walks = new AtomicInteger();

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public ProcessSnapshot collect() {
            walks.incrementAndGet();
            return real.collect();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    /**
     * On a clock of the test's own (no sleeps): the sampler collects once a second alone, and collects nothing of its own
     * while scrapes come every 200 ms.
     */
    @Test
    void samplesAloneWhenNobodyScrapesAndRidesOnScrapesOtherwise() {
        CountingBackend backend = new CountingBackend();
        LeakSettings settings = new LeakSettings(true, 1, 60, null, 1, 1);
        ManualScheduler time = new ManualScheduler(Instant.parse("2026-09-21T00:00:00Z"));
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend, time.clock())) {
            LeakWatch watch = LeakWatch.start(settings, coordinator, 8L << 30, time.clock(), time);
            try {
                time.runDue();
                time.advance(Duration.ofMillis(3500));
                int alone = backend.walks.get();
                assertEquals(4, alone, "one walk at start and one per second without scrapes");

                // scrapes every 200 ms for 4 s: the sampler reuses them
                int scrapes = 0;
                for (int i = 0; i < 20; i++, scrapes++) {
                    coordinator.collect(5);
                    time.advance(Duration.ofMillis(200));
                }
                int during = backend.walks.get() - alone;
                assertEquals(scrapes, during, "no extra walks while scraped: " + during + " walks for " + scrapes + " scrapes");
            } finally {
                watch.close();
            }
            // every collection, scrape or sample, fed the history of this JVM
            long myPid = ProcessHandle.current().pid();
            LeakReport report = watch.report();
            LeakVerdict me = report.processes().stream().filter(v -> v.info().pid() == myPid).findFirst().orElseThrow();
            assertTrue(me.coverageSeconds() >= 5, "both phases (3.5 s alone, 4 s scraped) fed it: " + me.coverageSeconds());
            assertEquals(myPid, me.info().pid());
        }
    }
}
