package io.leakwatch.metrics;

import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;

import java.util.ArrayList;
import java.util.List;

/** Turns a snapshot into windows_process_* families by walking {@link ProcessMetricTable}. */
final class ProcessFamilies {
    private static final List<String> PP = List.of("process", "process_id");

    private ProcessFamilies() {
    }

    static List<MetricFamilySamples> of(ProcessSnapshot snapshot) {
        List<ProcessSample> processes = snapshot.processes();
        List<MetricFamilySamples> families = new ArrayList<>(ProcessMetricTable.METRICS.size() + 1);
        families.add(info(processes));
        for (ProcessMetric metric : ProcessMetricTable.METRICS) {
            MetricFamilySamples family = family(metric, processes);
            if (!family.samples.isEmpty()) {
                families.add(family);
            }
        }
        return families;
    }

    private static MetricFamilySamples info(List<ProcessSample> processes) {
        String name = ProcessMetricTable.INFO_NAME;
        List<Sample> samples = new ArrayList<>(processes.size());
        for (ProcessSample p : processes) {
            ProcessInfo i = p.info();
            samples.add(new Sample(name, ProcessMetricTable.INFO_LABELS, List.of(
                    i.name(), i.pidLabel(), Long.toString(i.parentPid()), Long.toString(i.processGroupId()),
                    i.owner(), i.cmdline()), 1.0));
        }
        return new MetricFamilySamples(name, io.prometheus.client.Collector.Type.GAUGE, ProcessMetricTable.INFO_HELP, samples);
    }

    private static MetricFamilySamples family(ProcessMetric metric, List<ProcessSample> processes) {
        boolean counter = metric.type() == io.prometheus.client.Collector.Type.COUNTER;
        String familyName = ProcessMetricTable.PREFIX + metric.name();
        String sampleName = counter ? familyName + "_total" : familyName;
        List<String> labelNames = metric.variantLabel() == null
                ? PP : List.of("process", "process_id", metric.variantLabel());
        List<Sample> samples = new ArrayList<>(processes.size() * metric.variants().size());
        for (ProcessSample p : processes) {
            ProcessInfo i = p.info();
            for (ProcessMetric.Variant variant : metric.variants()) {
                double value = variant.value().applyAsDouble(p);
                if (!ProcessSample.isPresent(value)) {
                    continue;
                }
                List<String> labelValues = variant.labelValue() == null
                        ? List.of(i.name(), i.pidLabel())
                        : List.of(i.name(), i.pidLabel(), variant.labelValue());
                samples.add(new Sample(sampleName, labelNames, labelValues, value));
            }
        }
        return new MetricFamilySamples(familyName, metric.type(), metric.help(), samples);
    }
}
