package io.leakwatch.leak;

import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.leak.LeakSettings;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
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

    @Test
    void samplesAloneWhenNobodyScrapesAndRidesOnScrapesOtherwise() throws Exception {
        CountingBackend backend = new CountingBackend();
        LeakSettings settings = new LeakSettings(true, 1, 60, null, 1, 1);
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            LeakWatch watch = LeakWatch.start(settings, coordinator, 8L << 30);
            try {
                Thread.sleep(3500);
                int alone = backend.walks.get();
                assertTrue(alone >= 3 && alone <= 5, "about one walk per second without scrapes: " + alone);

                // scrapes every 200 ms for 4 s: the sampler reuses them
                int scrapes = 0;
                for (long end = System.nanoTime() + 4_000_000_000L; System.nanoTime() < end; scrapes++) {
                    coordinator.collect(5);
                    Thread.sleep(200);
                }
                int during = backend.walks.get() - alone;
                assertTrue(during <= scrapes, "no extra walks while scraped: " + during + " walks for " + scrapes + " scrapes");
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
