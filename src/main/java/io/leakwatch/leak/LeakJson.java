package io.leakwatch.leak;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import io.leakwatch.leak.LeakSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** /leaks.json: the same ranking, verdicts, histories and next steps as /leaks, as JSON. */
final class LeakJson {
    private LeakJson() {
    }

    static String render(LeakReport report, String osName) {
        LeakSettings s = report.settings();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("generated_at", number(report.generatedAtSeconds()));
        root.put("window_seconds", s.windowSeconds());
        root.put("sample_interval_seconds", s.sampleIntervalSeconds());
        root.put("bucket_seconds", s.bucketSeconds());
        root.put("min_growth_bytes_per_second", s.minGrowthBytesPerSecond());
        root.put("min_handle_growth_per_second", s.minHandleGrowthPerSecond());
        root.put("physical_memory_bytes", number(report.physicalMemoryBytes()));
        root.put("tracked_processes", report.processes().size());
        root.put("services_with_earlier_lives", report.servicesWithPastLives());
        root.put("untracked_processes", report.untrackedProcesses());
        root.put("suspects", report.suspects().size());
        List<Object> processes = new ArrayList<>();
        for (LeakVerdict v : report.listed()) {
            processes.add(process(v, osName));
        }
        root.put("processes", processes);
        List<Object> exited = new ArrayList<>();
        for (LeakVerdict v : report.exitedSuspects()) {
            exited.add(process(v, osName));
        }
        root.put("exited_suspects", exited);
        return ConfigValueFactory.fromMap(root).render(ConfigRenderOptions.concise().setFormatted(true));
    }

    private static Map<String, Object> process(LeakVerdict v, String osName) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("process", v.info().name());
        p.put("process_id", v.info().pidLabel());
        p.put("start_time", v.info().startTimeSeconds());
        p.put("verdict", v.summary());
        p.put("suspect", v.suspect());
        p.put("exited_at", number(v.exitedAtSeconds()));
        p.put("runtime", NextSteps.guess(v.info()).name().toLowerCase(java.util.Locale.ROOT));
        p.put("coverage_seconds", v.coverageSeconds());
        p.put("seconds_until_physical_memory", number(v.secondsUntilPhysicalMemory()));
        p.put("private_bytes", resource(v.privateBytes(), v.lastPrivateBytes()));
        p.put("handles", resource(v.handles(), v.lastHandles()));
        p.put("history", history(v.history()));
        List<Object> lives = new ArrayList<>();
        for (PastLives.Life l : v.earlierLives()) {
            Map<String, Object> life = new LinkedHashMap<>();
            life.put("process_id", Long.toString(l.pid()));
            life.put("start_time", l.startSeconds());
            life.put("last_seen", l.endSeconds());
            life.put("history", history(l.buckets()));
            lives.add(life);
        }
        p.put("earlier_lives", lives);
        if (v.suspect()) {
            Shell shell = Shell.forOs(osName);
            List<Object> steps = new ArrayList<>();
            for (NextSteps.Step step : NextSteps.forProcess(osName, v)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("what", step.title());
                m.put("shell", shell.label());
                m.put("commands", step.commands().stream().map(shell::render).toList());
                steps.add(m);
            }
            p.put("next_steps", steps);
        }
        return p;
    }

    private static List<Object> history(FloorHistory.Buckets b) {
        List<Object> history = new ArrayList<>(b.size());
        for (int i = 0; i < b.size(); i++) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("t", b.midSeconds(i));
            point.put("private_bytes_floor", number(b.privateFloors()[i]));
            point.put("handles_floor", number(b.handleFloors()[i]));
            history.add(point);
        }
        return history;
    }

    private static Map<String, Object> resource(ResourceVerdict r, double last) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("last", number(last));
        m.put("outcome", r.outcome().word());
        m.put("suspect", r.suspect());
        m.put("rule", r.rule());
        m.put("why", r.why());
        FloorTrend t = r.trend();
        m.put("growth_per_second", t == null ? null : number(t.slopePerSecond()));
        m.put("trend_intercept", t == null ? null : number(t.intercept()));
        m.put("envelope_buckets", t == null ? null : t.scaleBuckets());
        m.put("trend_score", t == null ? null : number(t.z()));
        m.put("chance_of_noise", t == null ? null : number(TrendStatistics.upperTail(t.z())));
        m.put("quarters_rising", t == null ? null : t.quarterRises());
        m.put("still_rising", t != null && t.growthIsCurrent());
        m.put("points", t == null ? 0 : t.points());
        return m;
    }

    /** NaN and infinities are not JSON. */
    private static Object number(double v) {
        return Double.isFinite(v) ? (Object) v : null;
    }
}
