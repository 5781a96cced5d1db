package io.leakwatch.leak;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import io.prometheus.client.Collector.MetricFamilySamples;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.leakwatch.leak.Series.MIB;
import static io.leakwatch.leak.Series.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metrics, JSON and HTML from reports with a leaker, a quiet process, one still learning, a handle leak and an exited suspect. */
class LeakRenderingTest {
    private static final ProcessInfo LEAKER = ProcessInfo.of("leak<er>", 10, 1, 10, "svc", "/usr/bin/java -Xmx1g -jar app.jar", T0 - 100);
    private static final ProcessInfo QUIET = Series.info("quiet", 11, T0 - 100);
    private static final ProcessInfo FRESH = Series.info("fresh", 12, T0 + 5400);

    private static LeakDetector detector;

    private static LeakReport report() {
        detector = new LeakDetector(Series.settings(3600, 10), 1024 * MIB);
        for (int t = 0; t <= 5400; t += 10) {
            detector.ingest(Series.snapshot(Series.sample(LEAKER, 10 * MIB + 10_000.0 * t, 5), Series.sample(QUIET, 10 * MIB, Double.NaN)),
                    T0 + t);
            detector.evaluate(T0 + t);
        }
        detector.ingest(Series.snapshot(Series.sample(LEAKER, 10 * MIB + 10_000.0 * 5410, 5), Series.sample(QUIET, 10 * MIB, Double.NaN),
                Series.sample(FRESH, MIB, 3)), T0 + 5410);
        return detector.evaluate(T0 + 5410);
    }

    private static ProcessSnapshot snapshotOf(ProcessInfo... infos) {
        List<ProcessSample> samples = new ArrayList<>();
        for (ProcessInfo i : infos) {
            samples.add(Series.sample(i, 10 * MIB, 5));
        }
        return new ProcessSnapshot(samples, 0, 0);
    }

    @Test
    void metricsHaveOneSamplePerProcessOfTheScrapeAndOmitWhatIsUnknown() {
        LeakReport report = report();
        Map<String, MetricFamilySamples> families = new LeakMetrics(() -> report).families(snapshotOf(LEAKER, QUIET, FRESH)).stream()
                .collect(Collectors.toMap(f -> f.name, f -> f));
        MetricFamilySamples suspect = families.get(LeakMetrics.SUSPECT);
        assertEquals(3, suspect.samples.size());
        for (MetricFamilySamples.Sample s : suspect.samples) {
            assertEquals(List.of("process", "process_id"), s.labelNames);
            assertEquals(s.labelValues.get(1).equals("10") ? 1.0 : 0.0, s.value, s.labelValues.toString());
        }
        MetricFamilySamples growth = families.get(LeakMetrics.GROWTH);
        assertEquals(2, growth.samples.size(), "the fresh process has one floor: no rate yet");
        assertEquals(10_000, growth.samples.stream().filter(s -> s.labelValues.get(1).equals("10")).findFirst().orElseThrow().value, 1);
        MetricFamilySamples untilFull = families.get(LeakMetrics.UNTIL_FULL);
        assertEquals(1, untilFull.samples.size(), "only an envelope rising steadily now gets a time to exhaustion");
        assertEquals((1024 * MIB - (10 * MIB + 10_000.0 * 5410)) / 10_000, untilFull.samples.get(0).value, 10);
        assertEquals(1, families.get(LeakMetrics.HANDLE_GROWTH).samples.size(), "quiet has no handles, fresh too few floors");
        assertTrue(families.get(LeakMetrics.COVERAGE).samples.stream().allMatch(s -> s.value >= 0 && s.value <= 3600));
        for (MetricFamilySamples f : families.values()) {
            assertTrue(f.help.length() > 40, f.name);
        }
    }

    @Test
    void aProcessMissingFromTheScrapeHasNoLeakSeriesEvenBeforeTheNextEvaluation() {
        LeakReport report = report();
        assertTrue(report.processes().stream().anyMatch(v -> v.info().pid() == 10), "still in the published report");
        LeakMetrics metrics = new LeakMetrics(() -> report);
        List<MetricFamilySamples> families = metrics.families(snapshotOf(QUIET, FRESH));
        assertTrue(families.stream().flatMap(f -> f.samples.stream()).noneMatch(s -> s.labelValues.get(1).equals("10")),
                "the leaker exited: its windows_process_* and leakwatch_leak_* series go in the same scrape");
        // a new process that reused the pid is not given the old one's verdict
        ProcessInfo reused = Series.info("other", 10, T0 + 3605);
        assertTrue(metrics.families(snapshotOf(reused)).stream().flatMap(f -> f.samples.stream()).findAny().isEmpty());
        assertTrue(metrics.families(null).isEmpty(), "a failed collection has no process series, and no leak series");
    }

    @Test
    void jsonIsValidAndCarriesTheVerdictHistoryRuntimeAndQuotedNextSteps() {
        String json = LeakJson.render(report(), "Linux");
        Config c = ConfigFactory.parseString(json, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
        assertEquals(1, c.getInt("suspects"));
        List<? extends Config> processes = c.getConfigList("processes");
        Config first = processes.get(0);
        assertEquals("leak<er>", first.getString("process"));
        assertEquals("10", first.getString("process_id"));
        assertEquals("suspect", first.getString("verdict"));
        assertEquals("jvm", first.getString("runtime"));
        assertTrue(first.getBoolean("suspect"));
        assertTrue(first.getBoolean("private_bytes.still_rising"));
        assertEquals(10_000, first.getDouble("private_bytes.growth_per_second"), 1);
        assertTrue(first.getString("private_bytes.why").contains("MiB/day"));
        assertEquals(48, first.getConfigList("history").size());
        List<String> commands = first.getConfigList("next_steps").stream().flatMap(s -> s.getStringList("commands").stream()).toList();
        assertTrue(commands.contains("jcmd 10 GC.heap_info"), commands.toString());
        assertTrue(commands.contains("heaptrack_print 'heaptrack.leak<er>.'*'.zst'"), "the name is quoted for sh: " + commands);
        assertEquals("sh", first.getConfigList("next_steps").get(0).getString("shell"));
        Config quiet = processes.stream().filter(p -> p.getString("process").equals("quiet")).findFirst().orElseThrow();
        assertFalse(quiet.hasPath("handles.last"), "unknown handles are null");
        assertFalse(quiet.hasPath("next_steps"));
        assertFalse(json.contains("seed"), "user-facing words only");
    }

    @Test
    void pageEscapesNamesDrawsTheChartFromZeroUpAndFollowsTheRuntimeAndOs() {
        String html = LeakPage.html(report(), "Windows Server 2022");
        assertTrue(html.contains("<section class=\"suspect\" id=\"suspect-10\">"));
        assertTrue(html.contains("leak&lt;er&gt;"));
        assertFalse(html.contains("leak<er>"));
        assertTrue(html.contains("<svg class=\"chart\" id=\"chart-10\""));
        assertTrue(html.contains("class=\"trend\"") && html.contains("class=\"envelope\""));
        assertTrue(html.contains("Guessed runtime: Java virtual machine"));
        assertTrue(html.contains("jcmd 10 GC.heap_info"), "the JVM's own heap first");
        assertTrue(html.contains("procdump -accepteula -ma -m"), "Windows next steps");
        assertTrue(html.contains("gflags /i &#39;leak&lt;er&gt;.exe&#39; +ust"), "the name quoted for PowerShell");
        assertTrue(html.contains("Commands for PowerShell"));
        assertTrue(html.indexOf("data-pid=\"10\"") < html.indexOf("data-pid=\"11\""), "ranked: suspects first");
        assertFalse(html.contains("heaptrack"), "no Linux tools on Windows");
        String linux = LeakPage.html(report(), "Linux");
        assertTrue(linux.contains("heaptrack") && linux.contains("smaps_rollup") && linux.contains("jemalloc"));
        assertFalse(linux.contains("procdump"));
        assertFalse(linux.contains("dotnet") || linux.contains("pprof"), "only the guessed runtime's steps");
        assertFalse(html.contains("seed") || linux.contains("seed"), "user-facing words only");
        assertYAxisNeverBelowZero(linux);
    }

    private static void assertYAxisNeverBelowZero(String html) {
        Matcher m = Pattern.compile("<text class=\"ytick\"[^>]*>([^<]*)</text>").matcher(html);
        int ticks = 0;
        while (m.find()) {
            ticks++;
            assertFalse(m.group(1).startsWith("-"), "y tick " + m.group(1));
        }
        assertTrue(ticks > 0);
    }

    @Test
    void aHandleSuspectShowsHandleFiguresChartAndAdvice() {
        LeakDetector d = new LeakDetector(Series.settings(3600, 10), 1024 * MIB);
        ProcessInfo fdLeaker = Series.info("fdleak", 20, T0 - 100);
        LeakReport report = null;
        for (int t = 0; t <= 5400; t += 10) {
            // the handle count starts near 0, so a padded axis would go below it
            d.ingest(Series.snapshot(Series.sample(fdLeaker, 10 * MIB, 1 + t / 60)), T0 + t);
            report = d.evaluate(T0 + t);
        }
        LeakVerdict v = report.processes().get(0);
        assertTrue(v.handles().suspect(), v.handles().why());
        assertFalse(v.privateBytes().suspect());
        String html = LeakPage.html(report, "Linux");
        assertTrue(html.contains("fdleak handles floors over time"), "chart of the handle floors");
        assertYAxisNeverBelowZero(html);
        assertTrue(html.contains("ls -l /proc/20/fd"));
        assertTrue(html.contains("Handles, by the trend over the last 60.0 min: lower envelope grows 1440.0/day"), html);
        assertTrue(html.contains("Handles now 91"), "handle figures, not memory ones");
        Matcher row = Pattern.compile("<tr class=\"suspect\" data-pid=\"20\">(.*?)</tr>").matcher(html);
        assertTrue(row.find());
        assertTrue(row.group(1).contains("<td>handles</td>") && row.group(1).contains("1440.0/day"), row.group(1));
        assertFalse(row.group(1).contains("B/day"), "no memory growth in a handle suspect's row: " + row.group(1));
        assertFalse(html.contains("heaptrack"), "no heap advice for a handle leak");
        String windows = LeakPage.html(report, "Windows 11");
        assertTrue(windows.contains("handle -accepteula -s -p 20"));
    }

    @Test
    void anExitedSuspectShowsWhenItExited() {
        LeakReport report = report();
        detector.ingest(Series.snapshot(Series.sample(QUIET, 10 * MIB, Double.NaN)), T0 + 5420);
        LeakReport after = detector.evaluate(T0 + 5420);
        assertEquals(1, after.exitedSuspects().size());
        assertEquals(T0 + 5410, after.exitedSuspects().get(0).exitedAtSeconds(), "last seen");
        String html = LeakPage.html(after, "Linux");
        assertTrue(html.contains("<h2>Suspects that exited</h2>"));
        assertTrue(html.contains(LeakPage.time(T0 + 5410)), html);
        Config c = ConfigFactory.parseString(LeakJson.render(after, "Linux"), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
        assertEquals(T0 + 5410, c.getConfigList("exited_suspects").get(0).getDouble("exited_at"));
        assertTrue(report.processes().get(0).suspect());
    }
}
