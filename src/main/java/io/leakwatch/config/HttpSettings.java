package io.leakwatch.config;

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

    public HttpSettings {
        listenAddresses = List.copyOf(listenAddresses);
        enabledCollectors = Set.copyOf(enabledCollectors);
    }

    /** The same settings with other limits (tests of the limits use short timeouts). */
    public HttpSettings withLimits(HttpLimits newLimits) {
        return new HttpSettings(listenAddresses, telemetryPath, enabledCollectors, timeoutMarginSeconds, disableExporterMetrics,
                newLimits);
    }

    /** @param collectors the collectors served, as {@link CollectorSelection} resolved them */
    static HttpSettings from(ConfigValues c, Set<String> collectors) throws UsageException {
        List<ListenAddress> addresses = new ArrayList<>();
        for (String text : c.stringList(Flags.LISTEN_ADDRESS)) {
            addresses.add(ListenAddress.parse(text.trim()));
        }
        if (addresses.isEmpty()) {
            throw new UsageException("--" + Flags.LISTEN_ADDRESS + ": at least one address is needed");
        }
        String path = c.string(Flags.TELEMETRY_PATH);
        if (!path.startsWith("/") || path.length() < 2 || path.chars().anyMatch(ch -> ch <= ' ' || ch == '?' || ch == '#')) {
            throw new UsageException("--" + Flags.TELEMETRY_PATH + ": '" + CommandLine.printable(path)
                    + "' must be a path like /metrics (starts with /, not just /, no spaces, ? or #)");
        }
        return new HttpSettings(addresses, path, collectors,
                timeoutMargin(c.string(Flags.TIMEOUT_MARGIN)), c.bool(Flags.DISABLE_EXPORTER_METRICS), HttpLimits.from(c));
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
        throw new UsageException("--" + Flags.TIMEOUT_MARGIN + ": '" + CommandLine.printable(text)
                + "' is not a number of seconds between 0 and 3600");
    }
}
