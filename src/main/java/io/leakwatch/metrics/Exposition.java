package io.leakwatch.metrics;

import io.leakwatch.model.ProcessSnapshot;
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

    /**
     * Content type for an Accept header (RFC 9110 negotiation): OpenMetrics 1.0 when the client
     * accepts it (q above 0) at least as much as text, else text 0.0.4, which is also the answer
     * when the client accepts neither (Prometheus' client libraries do the same).
     * Not simpleclient_common's TextFormat.chooseContentType: it answers OpenMetrics whenever the
     * header names it, whatever its q, while windows_exporter (Go's expfmt) honours the client's
     * preference, so a Prometheus whose scrape_protocols put text first gets text from both.
     */
    public static String contentType(String acceptHeader) {
        if (acceptHeader == null) {
            return TextFormat.CONTENT_TYPE_004;
        }
        double openMetrics = 0;
        double text = 0;
        for (String range : acceptHeader.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
            double q = 1;
            String version = null;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                String key = kv[0].trim().toLowerCase(java.util.Locale.ROOT);
                String value = kv.length > 1 ? kv[1].trim() : "";
                if (key.equals("q")) {
                    q = quality(value);
                } else if (key.equals("version")) {
                    version = value;
                }
            }
            switch (type) {
                case "application/openmetrics-text" -> {
                    if (version == null || version.equals("1.0.0") || version.equals("0.0.1")) {
                        openMetrics = Math.max(openMetrics, q);
                    }
                }
                case "text/plain" -> {
                    if (version == null || version.equals("0.0.4")) {
                        text = Math.max(text, q);
                    }
                }
                case "text/*", "*/*" -> text = Math.max(text, q);
                default -> { }
            }
        }
        // the higher quality wins; a tie goes to OpenMetrics, which a client names only when it reads it
        return openMetrics > 0 && openMetrics >= text ? TextFormat.CONTENT_TYPE_OPENMETRICS_100 : TextFormat.CONTENT_TYPE_004;
    }

    /** An Accept "q" value (RFC 9110: 0 to 1, three decimals at most); anything else counts as not acceptable. */
    private static double quality(String value) {
        if (!value.matches("(?:0(?:\\.\\d{0,3})?|1(?:\\.0{0,3})?)")) {
            return 0;
        }
        return Double.parseDouble(value);
    }

    /**
     * Collects (sharing a collection in flight) and writes the scrape.
     *
     * @param collectors      the collectors this scrape asked for (already validated)
     * @param deadlineSeconds how long the collection may take
     */
    public void write(Writer out, String contentType, Set<String> collectors, double deadlineSeconds,
                      long scrapeStartNanos) throws IOException {
        write(out, contentType, collectors, deadlineSeconds, scrapeStartNanos, () -> { });
    }

    /**
     * As {@link #write(Writer, String, Set, double, long)}, running {@code collected} once the
     * collection is over, before anything is written: what the client reads after it costs no
     * collection (the HTTP layer frees the scrape's slot there).
     */
    public void write(Writer out, String contentType, Set<String> collectors, double deadlineSeconds,
                      long scrapeStartNanos, Runnable collected) throws IOException {
        boolean process = collectors.contains("process");
        CollectionResult result;
        try {
            result = process ? coordinator.collect(deadlineSeconds) : null;
        } finally {
            collected.run();
        }
        // The process families (nearly all of the body) are streamed; the few self-metrics
        // (and the extra families) go through TextFormat, which also ends OpenMetrics with "# EOF".
        // Same bytes, in the same order, as one TextFormat call over all of them.
        if (result != null && result.snapshot() != null) {
            new ProcessFamiliesWriter().write(out, result.snapshot(), TextFormat.CONTENT_TYPE_OPENMETRICS_100.equals(contentType));
        }
        List<MetricFamilySamples> families = new ArrayList<>();
        if (process) {
            ProcessSnapshot snapshot = result == null ? null : result.snapshot();
            extras.forEach(extra -> families.addAll(extra.families(snapshot)));
        }
        families.addAll(selfMetrics.of(result, process, (System.nanoTime() - scrapeStartNanos) / 1e9));
        if (exporterMetrics != null) {
            families.addAll(exporterMetrics.collect());
        }
        TextFormat.writeFormat(contentType, out, Collections.enumeration(families));
    }
}
