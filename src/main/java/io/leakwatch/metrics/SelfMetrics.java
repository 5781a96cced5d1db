package io.leakwatch.metrics;

import io.leakwatch.common.Version;
import io.leakwatch.model.ProcessSnapshot;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;

import java.util.ArrayList;
import java.util.List;

import static io.prometheus.client.Collector.Type.COUNTER;
import static io.prometheus.client.Collector.Type.GAUGE;

/**
 * windows_exporter's self-metrics for the scrape (same names and collector label, so its
 * "exporter health" alerts keep working) plus leakwatch's own.
 */
final class SelfMetrics {
    private static final List<String> COLLECTOR = List.of("collector");
    private static final List<String> PROCESS = List.of("process");

    /**
     * windows_exporter's own build metric, with its labels (those of Prometheus' Go version
     * collector): community dashboards list their instances with
     * {@code label_values(windows_exporter_build_info, instance)}. Served whatever the flags, as
     * windows_exporter serves it. goversion names the Java runtime, tags has no Go build tags.
     */
    private static final MetricFamilySamples WINDOWS_EXPORTER_BUILD_INFO = gauge("windows_exporter_build_info",
            "Build of the exporter (leakwatch, in windows_exporter's shape), always 1: version, revision and branch of "
                    + "leakwatch, goversion the Java runtime, goos and goarch the platform.",
            List.of("branch", "goarch", "goos", "goversion", "revision", "tags", "version"),
            List.of(Version.BRANCH, Version.goarch(), Version.goos(), Version.runtime(), Version.REVISION, "unknown",
                    Version.VERSION), 1);

    /** The reasons a selected process is left out of a collection, as the counter's label values. */
    static final List<String> SKIP_REASONS = List.of("vanished", "malformed", "unreadable", "kernel_thread", "max_processes",
            "pending_redaction");
    private final long[] skippedTotals = new long[SKIP_REASONS.size()]; // guarded by this, in SKIP_REASONS' order
    private CollectionResult lastCounted; // a shared collection is counted once

    private final String backendName;

    SelfMetrics(String backendName) {
        this.backendName = backendName;
    }

    synchronized List<MetricFamilySamples> of(CollectionResult result, boolean processCollected, double scrapeSeconds) {
        if (result != null && result.snapshot() != null && result != lastCounted) {
            ProcessSnapshot snapshot = result.snapshot();
            skippedTotals[0] += snapshot.skippedVanished();
            skippedTotals[1] += snapshot.skippedMalformed();
            skippedTotals[2] += snapshot.skippedUnreadable();
            skippedTotals[3] += snapshot.skippedKernelThreads();
            skippedTotals[4] += snapshot.droppedOverLimit();
            skippedTotals[5] += snapshot.pendingRedaction();
            lastCounted = result;
        }
        List<MetricFamilySamples> out = new ArrayList<>();
        if (processCollected && result != null) {
            out.add(gauge("windows_exporter_collector_duration_seconds",
                    "Seconds the process collector took in this scrape.", COLLECTOR, PROCESS, result.durationSeconds()));
            out.add(gauge("windows_exporter_collector_success",
                    "1 if the process collector succeeded in this scrape, else 0.", COLLECTOR, PROCESS, result.success() ? 1 : 0));
            out.add(gauge("windows_exporter_collector_timeout",
                    "1 if the process collector missed the scrape deadline, else 0.", COLLECTOR, PROCESS, result.timedOut() ? 1 : 0));
            List<Sample> skipped = new ArrayList<>(SKIP_REASONS.size());
            for (int i = 0; i < SKIP_REASONS.size(); i++) {
                skipped.add(new Sample("leakwatch_collector_skipped_processes_total", List.of("collector", "reason"),
                        List.of("process", SKIP_REASONS.get(i)), skippedTotals[i]));
            }
            out.add(new MetricFamilySamples("leakwatch_collector_skipped_processes", COUNTER,
                    "Selected processes left out of collections since start, once per collection, by reason: vanished = exited "
                            + "while being read (normal churn); malformed = unparsable OS data; unreadable = access denied; "
                            + "kernel_thread = Linux kernel thread (--collector.process.kernel-threads); max_processes = over "
                            + "--collector.process.max-processes; pending_redaction = secrets in its name or command line not hidden yet.",
                    skipped));
            if (result.snapshot() != null) {
                out.add(gauge("leakwatch_collector_dropped_processes",
                        "Selected processes left out of this scrape by --collector.process.max-processes (largest by private bytes are kept).",
                        COLLECTOR, PROCESS, result.snapshot().droppedOverLimit()));
                out.add(gauge("leakwatch_collector_pending_redaction_processes",
                        "New processes left out of this scrape until the secrets in their name or command line are hidden.",
                        COLLECTOR, PROCESS, result.snapshot().pendingRedaction()));
                out.add(gauge("leakwatch_collector_cut_names",
                        "Processes in this scrape whose name was longer than 128 bytes and was cut (it then ends with three dots).",
                        COLLECTOR, PROCESS, result.snapshot().cutNames()));
            }
        }
        out.add(gauge("windows_exporter_scrape_duration_seconds", "Seconds this whole scrape took until the metrics were written.",
                List.of(), List.of(), scrapeSeconds));
        out.add(gauge("leakwatch_build_info", "Build of leakwatch serving these metrics, always 1.",
                List.of("version", "backend", "java_version"),
                List.of(Version.VERSION, backendName, System.getProperty("java.version", "")), 1));
        out.add(WINDOWS_EXPORTER_BUILD_INFO);
        return out;
    }

    static MetricFamilySamples gauge(String name, String help, List<String> labelNames, List<String> labelValues, double value) {
        return new MetricFamilySamples(name, GAUGE, help, List.of(new Sample(name, labelNames, labelValues, value)));
    }

    static MetricFamilySamples counter(String name, String help, double value) {
        return new MetricFamilySamples(name, Collector.Type.COUNTER, help,
                List.of(new Sample(name + "_total", List.of(), List.of(), value)));
    }
}
