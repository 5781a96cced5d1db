package io.leakwatch.hardening;

import io.leakwatch.testing.ChildExporter;
import io.leakwatch.testing.ExpositionCheck;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.ProcessChurn;
import io.leakwatch.testing.Promtool;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 1,000 consecutive scrapes of a real leakwatch JVM over the real /proc while thousands of
 * short-lived processes start, rename themselves and exit: every answer 200, every body well
 * formed with no duplicate series (all checked; promtool on every 20th), no series left for a
 * process after it exited, no exception in leakwatch's log.
 *
 * <p>"Left after it exited": a scrape may share a collection already in flight (single-flight; the
 * leak sampler starts collections of its own), and that collection may have read a process that
 * was reaped before this scrape began. But every collection a scrape can use started after the
 * previous scrape began, so a process reaped before the previous scrape began must never appear.
 * Appearances within that one-collection window are counted and printed.
 */
@Tag("system")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ChurnTest {
    static final int SCRAPES = Integer.getInteger("leakwatch.churn.scrapes", 1000);
    static final int MIN_CHURNED = 2000;
    private static final Pattern CHURN_INFO = Pattern.compile(
            "^windows_process_info\\{process=\"([^\"]*)\",process_id=\"(\\d+)\",[^\\n]*" + ProcessChurn.MARKER, Pattern.MULTILINE);

    @Test
    void scrapesStayCorrectUnderProcessChurn() throws Exception {
        try (ChildExporter exporter = ChildExporter.start(List.of("-Xmx128m"),
                // every process's stat is read each scrape; the full read (status, io, fd/, cmdline) is
                // for the churn processes, which keeps 1,000 scrapes within CI's time on 2 busy cores
                "--collector.process.include=bash|sleep|churn-renamed.*|x[0-9]+", "--leak.state-file=");
             ProcessChurn churn = new ProcessChurn(60, 20_000, 2, 40)) {
            int churnSeries = 0;
            int renamedSeen = 0;
            int promtoolRuns = 0;
            int sharedCollectionAppearances = 0;
            long previousScrapeStart = Long.MIN_VALUE;
            long start = System.nanoTime();
            List<Double> seconds = new ArrayList<>();
            // at least SCRAPES scrapes, and on until 2,000 processes churned (a quiet machine scrapes fast)
            int scrapes = 0;
            for (int i = 0; i < SCRAPES || churn.started() < MIN_CHURNED; i++) {
                scrapes++;
                long scrapeStart = System.nanoTime();
                HttpResponse<byte[]> r = Http.get(exporter.port, "/metrics");
                seconds.add((System.nanoTime() - scrapeStart) / 1e9);
                assertEquals(200, r.statusCode(), "scrape " + i);
                String body = Http.body(r);
                ExpositionCheck.assertWellFormed(body);
                assertTrue(body.contains("windows_exporter_collector_success{collector=\"process\",} 1.0"), "scrape " + i);
                Matcher m = CHURN_INFO.matcher(body);
                while (m.find()) {
                    long pid = Long.parseLong(m.group(2));
                    churnSeries++;
                    if (m.group(1).startsWith("churn-renamed") || m.group(1).startsWith("x")) {
                        renamedSeen++;
                    }
                    assertTrue(!churn.reapedBefore(pid, previousScrapeStart),
                            "scrape " + i + " still has a series for pid " + pid + ", reaped before the previous scrape began");
                    if (churn.reapedBefore(pid, scrapeStart)) {
                        sharedCollectionAppearances++;
                    }
                }
                previousScrapeStart = scrapeStart;
                if (i % 20 == 0) {
                    Promtool.assertValidMetrics(body);
                    promtoolRuns++;
                }
            }
            double total = (System.nanoTime() - start) / 1e9;
            assertTrue(churn.started() >= MIN_CHURNED, "only " + churn.started() + " processes churned");
            assertTrue(churnSeries > 0 && renamedSeen > 0, "churn not visible: " + churnSeries + " series, " + renamedSeen + " renamed");
            assertEquals(List.of(), exporter.exceptionLines(), String.join("\n", exporter.log()));
            assertTrue(exporter.process.isAlive());
            seconds.sort(null);
            System.out.printf("churn: %d scrapes in %.1f s (median %.3f s, max %.3f s), %d processes started (%d renaming), "
                            + "%d churn series seen (%d renamed, %d from a shared collection that began before the process was reaped), "
                            + "promtool on %d bodies%n",
                    scrapes, total, seconds.get(seconds.size() / 2), seconds.get(seconds.size() - 1), churn.started(),
                    churn.renamed(), churnSeries, renamedSeen, sharedCollectionAppearances, promtoolRuns);
        }
    }
}
