package io.leakwatch.metrics;

import io.leakwatch.model.ProcessSample;
import io.prometheus.client.Collector;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One windows_process_* family: its name (without "_total" for counters), type, help, and one
 * series per variant (for example cpu_time_total's two modes).
 */
record ProcessMetric(String name, Collector.Type type, String help, String variantLabel, List<Variant> variants) {

    /** One series of the family: the value of {@code variantLabel} and where the number comes from. */
    record Variant(String labelValue, ToDoubleFunction<ProcessSample> value) {
    }

    static ProcessMetric single(String name, Collector.Type type, String help, ToDoubleFunction<ProcessSample> value) {
        return new ProcessMetric(name, type, help, null, List.of(new Variant(null, value)));
    }

    static ProcessMetric labelled(String name, Collector.Type type, String help, String label, Variant... variants) {
        return new ProcessMetric(name, type, help, label, List.of(variants));
    }

    static Variant variant(String labelValue, ToDoubleFunction<ProcessSample> value) {
        return new Variant(labelValue, value);
    }
}
