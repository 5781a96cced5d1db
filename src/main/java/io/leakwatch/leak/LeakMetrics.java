package io.leakwatch.leak;

import io.leakwatch.metrics.ExtraFamilies;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;

import java.util.ArrayList;
import java.util.List;
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

    LeakMetrics(Supplier<LeakReport> report) {
        this.report = report;
    }

    @Override
    public List<MetricFamilySamples> families() {
        List<LeakVerdict> processes = report.get().processes();
        List<MetricFamilySamples> out = new ArrayList<>(5);
        out.add(family(GROWTH, "Growth rate of the process's private-bytes floor (lowest value per bucket of the --leak.window "
                + "history), bytes per second, Theil-Sen trend; omitted with fewer than 3 bucket floors.",
                processes, v -> v.privateBytes().slopePerSecond()));
        out.add(family(SUSPECT, "1 if leak detection suspects the process of leaking: its private-bytes or handle floor grows at "
                + "least --leak.min-growth / --leak.min-handle-growth, steadily, over at least half of --leak.window; else 0. "
                + "The reason is on /leaks.", processes, v -> v.suspect() ? 1 : 0));
        out.add(family(UNTIL_FULL, "Seconds until the process's private bytes reach the host's physical memory if its "
                + "private-bytes floor keeps growing at the current rate; omitted when the floor is not growing.",
                processes, LeakVerdict::secondsUntilPhysicalMemory));
        out.add(family(COVERAGE, "Seconds of --leak.window the process's leak-detection history covers (a verdict needs half "
                + "the window).", processes, LeakVerdict::coverageSeconds));
        out.add(family(HANDLE_GROWTH, "Growth rate of the process's handle-count floor (Linux: open file descriptors), "
                + "handles per second, Theil-Sen trend; omitted when handles are not readable or with fewer than 3 bucket floors.",
                processes, v -> v.handles().slopePerSecond()));
        out.removeIf(f -> f.samples.isEmpty());
        return out;
    }

    private static MetricFamilySamples family(String name, String help, List<LeakVerdict> processes,
                                              ToDoubleFunction<LeakVerdict> value) {
        List<Sample> samples = new ArrayList<>(processes.size());
        for (LeakVerdict v : processes) {
            double x = value.applyAsDouble(v);
            if (!Double.isNaN(x)) {
                samples.add(new Sample(name, PP, List.of(v.info().name(), v.info().pidLabel()), x));
            }
        }
        return new MetricFamilySamples(name, Collector.Type.GAUGE, help, samples);
    }
}
