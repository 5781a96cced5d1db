package io.leakwatch.hardening;

import io.leakwatch.testing.ChildExporter;
import io.leakwatch.testing.ExpositionCheck;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.ProcessChurn;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leak check of leakwatch itself: scrapes a real leakwatch JVM while 1,000 extra processes live
 * and others churn, sampling its RSS, open descriptors and threads from /proc. After a warm-up
 * (the JIT, the heap reaching its steady size), none may grow beyond noise.
 * CI runs 200 scrapes; the long run is
 * {@code mvn -o test -Dtest=SoakTest -Dleakwatch.soak.scrapes=10000 -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dleakwatch.soak.processes=N} sets the extra sleeping processes, default 1,000; at least
 * 1,000 processes must be exported in all).
 */
@Tag("system")
@Timeout(value = 3, unit = TimeUnit.HOURS)
class SoakTest {
    static final int SCRAPES = Integer.getInteger("leakwatch.soak.scrapes", 200);
    static final int EXTRA_PROCESSES = Integer.getInteger("leakwatch.soak.processes", 1000);
    static final long RSS_NOISE_BYTES = 24L << 20;
    static final int FD_NOISE = 4;
    static final int THREAD_NOISE = 3;

    record Footprint(int scrape, long rssBytes, int fds, int threads) {
        static Footprint of(int scrape, long pid) throws IOException {
            long rss = -1;
            int threads = -1;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("\\D", ""));
                }
            }
            int fds;
            try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                fds = (int) s.count();
            }
            return new Footprint(scrape, rss, fds, threads);
        }
    }

    @Test
    void noGrowthOfRssFdsOrThreadsUnderChurn() throws Exception {
        Process sleepers = new ProcessBuilder("bash", "-c",
                "for i in $(seq " + EXTRA_PROCESSES + "); do sleep 3600 & done; wait")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        try (ChildExporter exporter = ChildExporter.start(List.of("-Xmx64m"), "--leak.state-file=");  // leak detection on, state not saved
             ProcessChurn churn = new ProcessChurn(40, Integer.MAX_VALUE, 1, 50)) {
            Thread.sleep(2000); // the sleepers are up
            List<Footprint> samples = new ArrayList<>();
            int warmup = Math.max(50, SCRAPES / 10);
            int every = Math.max(1, SCRAPES / 100);
            int maxProcesses = 0;
            long start = System.nanoTime();
            for (int i = 1; i <= SCRAPES; i++) {
                var r = Http.get(exporter.port, "/metrics");
                assertEquals(200, r.statusCode());
                if (i % every == 0 || i == SCRAPES) {
                    String body = Http.body(r);
                    ExpositionCheck.assertWellFormed(body);
                    maxProcesses = Math.max(maxProcesses, (int) body.lines().filter(l -> l.startsWith("windows_process_info{")).count());
                    samples.add(Footprint.of(i, exporter.pid()));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<Footprint> warm = samples.stream().filter(f -> f.scrape() >= warmup).toList();
            Footprint first = warm.get(0);
            long rssAfterWarmup = warm.stream().filter(f -> f.scrape() < warmup + (SCRAPES - warmup) / 4)
                    .mapToLong(Footprint::rssBytes).max().orElse(first.rssBytes());
            Footprint last = samples.get(samples.size() - 1);
            long rssLastQuarter = warm.stream().filter(f -> f.scrape() >= SCRAPES - (SCRAPES - warmup) / 4)
                    .mapToLong(Footprint::rssBytes).max().orElse(last.rssBytes());
            int fdsMin = warm.stream().mapToInt(Footprint::fds).min().orElseThrow();
            int fdsMax = warm.stream().mapToInt(Footprint::fds).max().orElseThrow();
            int threadsMin = warm.stream().mapToInt(Footprint::threads).min().orElseThrow();
            int threadsMax = warm.stream().mapToInt(Footprint::threads).max().orElseThrow();
            String report = String.format("soak: %d scrapes in %.0f s (%.1f/s), up to %d processes exported, %d churned; "
                            + "RSS max first quarter after warm-up %.1f MiB, max last quarter %.1f MiB, end %.1f MiB; "
                            + "fds %d..%d (end %d); threads %d..%d (end %d)",
                    SCRAPES, seconds, SCRAPES / seconds, maxProcesses, churn.started(), rssAfterWarmup / 1048576.0,
                    rssLastQuarter / 1048576.0, last.rssBytes() / 1048576.0, fdsMin, fdsMax, last.fds(),
                    threadsMin, threadsMax, last.threads());
            System.out.println(report);
            StringBuilder trend = new StringBuilder("soak trend (scrape: RSS MiB / fds / threads):");
            for (int d = 1; d <= 10; d++) {
                int target = SCRAPES * d / 10;
                samples.stream().filter(f -> f.scrape() >= target).findFirst().ifPresent(f -> trend.append(String.format(
                        " %d: %.1f/%d/%d", f.scrape(), f.rssBytes() / 1048576.0, f.fds(), f.threads())));
            }
            System.out.println(trend);
            assertTrue(maxProcesses >= 1000, "fewer than 1,000 processes exported: " + report);
            assertTrue(rssLastQuarter <= rssAfterWarmup + RSS_NOISE_BYTES, "RSS grew: " + report);
            assertTrue(last.fds() <= first.fds() + FD_NOISE && fdsMax - fdsMin <= 2 * FD_NOISE, "descriptors grew: " + report);
            assertTrue(last.threads() <= first.threads() + THREAD_NOISE, "threads grew: " + report);
            assertEquals(List.of(), exporter.exceptionLines(), String.join("\n", exporter.log()));
        } finally {
            sleepers.descendants().forEach(ProcessHandle::destroy);
            sleepers.destroy();
            sleepers.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
