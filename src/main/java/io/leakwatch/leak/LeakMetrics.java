package io.leakwatch.leak;

import io.leakwatch.metrics.ExtraFamilies;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/** The leakwatch_leak_* families, from the latest published report (no work at scrape time). */
final class LeakMetrics implements ExtraFamilies {
    static final String GROWTH = "leakwatch_leak_private_bytes_floor_growth_bytes_per_second";
    static final String HANDLE_GROWTH = "leakwatch_leak_handles_floor_growth_per_second";
    static final String SUSPECT = "leakwatch_leak_suspect";
    static final String UNTIL_FULL = "leakwatch_leak_seconds_until_physical_memory";
    static final String COVERAGE = "leakwatch_leak_history_coverage_seconds";
    private static final List<String> PP = List.of("process", "process_id");

    private final Supplier<LeakReport> report;
    private volatile Indexed indexed = new Indexed(null, Map.of());

    /** A report with its verdicts and their label values by pid, built once per report rather than once per scrape. */
    private record Indexed(LeakReport report, Map<Long, Row> byPid) {
        static Indexed of(LeakReport report) {
            Map<Long, LeakVerdict> verdicts = report.byPid();
            Map<Long, Row> rows = new HashMap<>(verdicts.size() * 2);
            verdicts.forEach((pid, v) -> rows.put(pid, new Row(v, List.of(v.info().name(), v.info().pidLabel()))));
            return new Indexed(report, rows);
        }
    }

    /** One process's verdict and its label values (process, process_id). */
    private record Row(LeakVerdict verdict, List<String> labels) {
    }

    LeakMetrics(Supplier<LeakReport> report) {
        this.report = report;
    }

    @Override
    public List<MetricFamilySamples> families(ProcessSnapshot snapshot) {
        if (snapshot == null) {
            return List.of(); // no process series in this scrape: no leak series either
        }
        LeakReport r = report.get();
        Indexed index = indexed;
        if (index.report() != r) {
            index = Indexed.of(r);
            indexed = index;
        }
        // only processes of this very scrape (same pid and start time): an exited process loses its leak series
        // in the same scrape as its windows_process_* series
        List<Row> processes = new ArrayList<>(Math.min(snapshot.processes().size(), index.byPid().size()));
        for (ProcessSample sample : snapshot.processes()) {
            Row row = index.byPid().get(sample.info().pid());
            if (row != null && row.verdict().info().startTimeSeconds() == sample.info().startTimeSeconds()) {
                processes.add(row);
            }
        }
        List<MetricFamilySamples> out = new ArrayList<>(5);
        out.add(family(GROWTH, "Growth rate of the lower envelope of the process's private bytes (the lowest bucket floor "
                + "over the last buckets of its --leak.window history, this process and the earlier lives of its service "
                + "together), bytes per second, Theil-Sen trend; omitted with fewer than 3 floors.",
                processes, v -> v.privateBytes().slopePerSecond()));
        out.add(family(SUSPECT, "1 if leak detection suspects the process, or its service across restarts, of leaking: its "
                + "private bytes or handles grow at least --leak.min-growth / --leak.min-handle-growth and do not come back "
                + "down, over a whole --leak.window, or day after day (the lowest value of each of the last three windows), "
                + "or fast enough to fill the host's memory within a window; else 0. The rule and the reason are on /leaks.",
                processes, v -> v.suspect() ? 1 : 0));
        out.add(family(UNTIL_FULL, "Seconds until the process's private bytes reach the host's physical memory if their lower "
                + "envelope keeps growing at its rate; omitted unless the envelope is rising steadily now.",
                processes, LeakVerdict::secondsUntilPhysicalMemory));
        out.add(family(COVERAGE, "Seconds of --leak.window that have samples, this process and the earlier lives of its "
                + "service judged with it together (their union; a verdict needs half of a whole window).", processes,
                LeakVerdict::coverageSeconds));
        out.add(family(HANDLE_GROWTH, "Growth rate of the lower envelope of the process's handle count (Linux: open file "
                + "descriptors), handles per second, Theil-Sen trend; omitted when handles are not readable or with fewer "
                + "than 3 floors.", processes, v -> v.handles().slopePerSecond()));
        out.removeIf(f -> f.samples.isEmpty());
        return out;
    }

    private static MetricFamilySamples family(String name, String help, List<Row> processes,
                                              ToDoubleFunction<LeakVerdict> value) {
        List<Sample> samples = new ArrayList<>(processes.size());
        for (Row row : processes) {
            double x = value.applyAsDouble(row.verdict());
            if (!Double.isNaN(x)) {
                samples.add(new Sample(name, PP, row.labels(), x));
            }
        }
        return new MetricFamilySamples(name, Collector.Type.GAUGE, help, samples);
    }
}
