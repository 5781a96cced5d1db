package io.leakwatch.leak;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import io.leakwatch.model.ProcessInfo;
import io.prometheus.client.Collector.MetricFamilySamples;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.leakwatch.leak.Series.MIB;
import static io.leakwatch.leak.Series.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metrics, JSON and HTML from one report with a leaker, a quiet process and one still learning. */
class LeakRenderingTest {
    private static LeakReport report() {
        LeakDetector detector = new LeakDetector(Series.settings(3600, 10), 1024 * MIB);
        ProcessInfo leaker = Series.info("leak<er>", 10, T0 - 100);
        ProcessInfo quiet = Series.info("quiet", 11, T0 - 100);
        for (int t = 0; t <= 3600; t += 10) {
            detector.ingest(Series.snapshot(Series.sample(leaker, 10 * MIB + 10_000.0 * t, 5), Series.sample(quiet, 10 * MIB, Double.NaN)),
                    T0 + t);
            detector.evaluate(T0 + t);
        }
        ProcessInfo fresh = Series.info("fresh", 12, T0 + 3600);
        detector.ingest(Series.snapshot(Series.sample(leaker, 10 * MIB + 10_000.0 * 3610, 5), Series.sample(quiet, 10 * MIB, Double.NaN),
                Series.sample(fresh, MIB, 3)), T0 + 3610);
        return detector.evaluate(T0 + 3610);
    }

    @Test
    void metricsHaveOneSamplePerProcessAndOmitWhatIsUnknown() {
        LeakReport report = report();
        Map<String, MetricFamilySamples> families = new LeakMetrics(() -> report).families().stream()
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
        assertEquals(1, untilFull.samples.size(), "only growing floors get a time to exhaustion");
        assertEquals((1024 * MIB - (10 * MIB + 10_000.0 * 3610)) / 10_000, untilFull.samples.get(0).value, 1);
        assertEquals(1, families.get(LeakMetrics.HANDLE_GROWTH).samples.size(), "quiet has no handles, fresh too few floors");
        assertTrue(families.get(LeakMetrics.COVERAGE).samples.stream().allMatch(s -> s.value >= 0 && s.value <= 3600));
        for (MetricFamilySamples f : families.values()) {
            assertTrue(f.help.length() > 40, f.name);
        }
    }

    @Test
    void jsonIsValidAndCarriesTheVerdictHistoryAndNextSteps() {
        String json = LeakJson.render(report(), "Linux");
        Config c = ConfigFactory.parseString(json, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
        assertEquals(1, c.getInt("suspects"));
        List<? extends Config> processes = c.getConfigList("processes");
        Config first = processes.get(0);
        assertEquals("leak<er>", first.getString("process"));
        assertEquals("10", first.getString("process_id"));
        assertEquals("suspect", first.getString("verdict"));
        assertTrue(first.getBoolean("suspect"));
        assertEquals(10_000, first.getDouble("private_bytes.growth_per_second"), 1);
        assertTrue(first.getString("private_bytes.why").contains("MiB/day"));
        assertEquals(48, first.getConfigList("history").size());
        assertTrue(first.getConfigList("next_steps").stream().anyMatch(s -> s.getString("command").startsWith("heaptrack -p 10")));
        Config quiet = processes.stream().filter(p -> p.getString("process").equals("quiet")).findFirst().orElseThrow();
        assertFalse(quiet.hasPath("handles.last"), "unknown handles are null");
        assertFalse(quiet.hasPath("next_steps"));
    }

    @Test
    void pageRanksByGrowthEscapesNamesAndDrawsTheSuspectsChart() {
        String html = LeakPage.html(report(), "Windows Server 2022");
        assertTrue(html.contains("<section class=\"suspect\" id=\"suspect-10\">"));
        assertTrue(html.contains("leak&lt;er&gt;"));
        assertFalse(html.contains("leak<er>"));
        assertTrue(html.contains("<svg class=\"chart\" id=\"chart-10\""));
        assertTrue(html.contains("class=\"trend\""));
        assertTrue(html.contains("procdump -ma -m"), "Windows next steps");
        assertTrue(html.contains("umdh") && html.contains("vmmap"));
        assertTrue(html.indexOf("data-pid=\"10\"") < html.indexOf("data-pid=\"11\""), "ranked by growth");
        String linux = LeakPage.html(report(), "Linux");
        assertTrue(linux.contains("heaptrack") && linux.contains("massif") && linux.contains("jemalloc"));
        assertTrue(linux.contains("native"), "runtime heap flat + private bytes rising = native leak");
    }

    @Test
    void aHandleLeakIsChartedByItsHandleFloorsWithHandleAdvice() {
        LeakDetector detector = new LeakDetector(Series.settings(3600, 10), 1024 * MIB);
        ProcessInfo fdLeaker = Series.info("fdleak", 20, T0 - 100);
        for (int t = 0; t <= 3600; t += 10) {
            detector.ingest(Series.snapshot(Series.sample(fdLeaker, 10 * MIB, 100 + t / 60)), T0 + t);
            detector.evaluate(T0 + t);
        }
        LeakReport report = detector.evaluate(T0 + 3600);
        LeakVerdict v = report.processes().get(0);
        assertTrue(v.handles().suspect(), v.handles().why());
        assertFalse(v.privateBytes().suspect());
        String html = LeakPage.html(report, "Linux");
        assertTrue(html.contains("fdleak handles floor over time with trend line"), "chart of the handle floors");
        assertTrue(html.contains("ls -l /proc/20/fd"));
        assertTrue(html.contains("Handles: lower envelope grows 1440.0/day"), html);
        assertFalse(html.contains("heaptrack"), "no heap advice for a handle leak");
        String windows = LeakPage.html(report, "Windows 11");
        assertTrue(windows.contains("handle -s -p 20"));
    }
}
