package io.leakwatch.http;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The HTTP side: where to listen, what to serve and how much a client may hold.
 *
 * @param listenAddresses        every --web.listen-address
 * @param telemetryPath          where the metrics are served
 * @param enabledCollectors      the collectors a scrape may ask for with collect[]
 * @param timeoutMarginSeconds   subtracted from Prometheus' scrape timeout to get the deadline
 * @param disableExporterMetrics leave out the exporter's own process_* and jvm_* metrics
 * @param limits                 per-client and concurrency bounds
 */
public record HttpSettings(List<ListenAddress> listenAddresses, String telemetryPath, Set<String> enabledCollectors,
                           double timeoutMarginSeconds, boolean disableExporterMetrics, HttpLimits limits) {
    public static final Flag LISTEN_ADDRESS = new Flag("web.listen-address", Flag.Kind.REPEATABLE, List.of(":9182"),
            "Address to listen on, host:port (no host = all interfaces). Repeat for several.");
    public static final Flag TELEMETRY_PATH = Flag.string("telemetry.path", "/metrics", "Path under which metrics are served.");
    public static final Flag TIMEOUT_MARGIN = Flag.string("scrape.timeout-margin", "0.5",
            "Seconds subtracted from Prometheus' X-Prometheus-Scrape-Timeout-Seconds to get the scrape deadline.");
    public static final Flag DISABLE_EXPORTER_METRICS = Flag.bool("web.disable-exporter-metrics", false,
            "Leave out the exporter's own process_* and jvm_* metrics.");
    public static final List<Flag> FLAGS = List.of(LISTEN_ADDRESS, TELEMETRY_PATH, TIMEOUT_MARGIN, DISABLE_EXPORTER_METRICS);

    /** Pages leakwatch serves besides the metrics, whatever is turned on: the metrics path may not take one. */
    static final List<String> RESERVED_PATHS = List.of("/", "/health", "/version", "/leaks", "/leaks.json");

    public HttpSettings {
        listenAddresses = List.copyOf(listenAddresses);
        enabledCollectors = Set.copyOf(enabledCollectors);
    }

    /** The same settings with other limits (tests of the limits use short timeouts). */
    public HttpSettings withLimits(HttpLimits newLimits) {
        return new HttpSettings(listenAddresses, telemetryPath, enabledCollectors, timeoutMarginSeconds, disableExporterMetrics,
                newLimits);
    }

    /**
     * @param collectors the collectors served, as {@code CollectorSelection} resolved them
     * @param warnings   gets a line for each setting that is accepted but has no effect
     */
    public static HttpSettings from(ConfigValues c, Set<String> collectors, List<String> warnings) throws UsageException {
        List<ListenAddress> addresses = new ArrayList<>();
        for (String text : c.stringList(LISTEN_ADDRESS)) {
            addresses.add(ListenAddress.parse(text.trim()));
        }
        if (addresses.isEmpty()) {
            throw new UsageException(LISTEN_ADDRESS + ": at least one address is needed");
        }
        String path = c.string(TELEMETRY_PATH);
        if (!path.startsWith("/") || path.length() < 2 || path.chars().anyMatch(ch -> ch <= ' ' || ch == '?' || ch == '#')) {
            throw new UsageException(TELEMETRY_PATH + ": '" + CommandLine.printable(path)
                    + "' must be a path like /metrics (starts with /, not just /, no spaces, ? or #)");
        }
        if (RESERVED_PATHS.contains(path) || path.startsWith("/debug/")) {
            throw new UsageException(TELEMETRY_PATH + ": '" + CommandLine.printable(path) + "' is a page of leakwatch's own ("
                    + String.join(", ", RESERVED_PATHS) + ", /debug/...); choose another, such as /metrics");
        }
        return new HttpSettings(addresses, path, collectors,
                timeoutMargin(c.string(TIMEOUT_MARGIN)), c.bool(DISABLE_EXPORTER_METRICS), HttpLimits.from(c, warnings));
    }

    private static double timeoutMargin(String text) throws UsageException {
        String t = text.trim();
        if (t.endsWith("s")) {
            t = t.substring(0, t.length() - 1); // windows_exporter writes durations like "0.5s"
        }
        try {
            double v = Double.parseDouble(t);
            if (v >= 0 && v < 3600) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(TIMEOUT_MARGIN + ": '" + CommandLine.printable(text)
                + "' is not a number of seconds between 0 and 3600");
    }
}
