package io.leakwatch.metrics;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.exporter.common.TextFormat;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Assembles one scrape: the process families (when the process collector is requested and
 * succeeded), the self-metrics and the exporter's footprint, written in the negotiated format.
 */
public final class Exposition {
    private final ScrapeCoordinator coordinator;
    private final SelfMetrics selfMetrics;
    private final ExporterProcessMetrics exporterMetrics; // null when disabled
    private final List<ExtraFamilies> extras; // written with the process families

    public Exposition(ScrapeCoordinator coordinator, boolean includeExporterMetrics, List<ExtraFamilies> extras) {
        this.coordinator = coordinator;
        this.extras = List.copyOf(extras);
        this.selfMetrics = new SelfMetrics(coordinator.backend().name());
        this.exporterMetrics = includeExporterMetrics ? new ExporterProcessMetrics() : null;
    }

    /** Content type for an Accept header: OpenMetrics 1.0 when asked for, else text 0.0.4. */
    public static String contentType(String acceptHeader) {
        return TextFormat.chooseContentType(acceptHeader);
    }

    /**
     * Collects (sharing a collection in flight) and writes the scrape.
     *
     * @param collectors      the collectors this scrape asked for (already validated)
     * @param deadlineSeconds how long the collection may take
     */
    public void write(Writer out, String contentType, Set<String> collectors, double deadlineSeconds,
                      long scrapeStartNanos) throws IOException {
        boolean process = collectors.contains("process");
        CollectionResult result = process ? coordinator.collect(deadlineSeconds) : null;
        // The process families (nearly all of the body) are streamed; the few self-metrics
        // (and the extra families) go through TextFormat, which also ends OpenMetrics with "# EOF".
        // Same bytes, in the same order, as one TextFormat call over all of them.
        if (result != null && result.snapshot() != null) {
            new ProcessFamiliesWriter().write(out, result.snapshot(), TextFormat.CONTENT_TYPE_OPENMETRICS_100.equals(contentType));
        }
        List<MetricFamilySamples> families = new ArrayList<>();
        if (process) {
            extras.forEach(extra -> families.addAll(extra.families()));
        }
        families.addAll(selfMetrics.of(result, process, (System.nanoTime() - scrapeStartNanos) / 1e9));
        if (exporterMetrics != null) {
            families.addAll(exporterMetrics.collect());
        }
        TextFormat.writeFormat(contentType, out, Collections.enumeration(families));
    }
}
