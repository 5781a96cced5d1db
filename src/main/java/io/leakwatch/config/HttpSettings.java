package io.leakwatch.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
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

    /** The collectors this build has. */
    public static final Set<String> AVAILABLE_COLLECTORS = Set.of("process");
    private static final Set<String> DEFAULT_COLLECTORS = Set.of("process");
    /** windows_exporter collectors a user may list out of habit: named in the error. */
    private static final Set<String> WINDOWS_EXPORTER_ONLY = Set.of(
            "ad", "adcs", "adfs", "cache", "container", "cpu", "cpu_info", "cs", "dfsr", "dhcp", "diskdrive", "dns",
            "exchange", "filetime", "fsrmquota", "hyperv", "iis", "license", "logical_disk", "memory", "mscluster",
            "msmq", "mssql", "net", "netframework", "nps", "os", "pagefile", "performancecounter", "physical_disk",
            "printer", "remote_fx", "scheduled_task", "service", "smb", "smbclient", "smtp", "system", "tcp",
            "terminal_services", "textfile", "thermalzone", "time", "udp", "update", "vmware");

    public HttpSettings {
        listenAddresses = List.copyOf(listenAddresses);
        enabledCollectors = Set.copyOf(enabledCollectors);
    }

    /** The same settings with other limits (tests of the limits use short timeouts). */
    public HttpSettings withLimits(HttpLimits newLimits) {
        return new HttpSettings(listenAddresses, telemetryPath, enabledCollectors, timeoutMarginSeconds, disableExporterMetrics,
                newLimits);
    }

    static HttpSettings from(ConfigValues c) throws UsageException {
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
        return new HttpSettings(addresses, path, collectors(c.string(Flags.COLLECTORS_ENABLED)),
                timeoutMargin(c.string(Flags.TIMEOUT_MARGIN)), c.bool(Flags.DISABLE_EXPORTER_METRICS), HttpLimits.from(c));
    }

    private static Set<String> collectors(String text) throws UsageException {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : text.split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (name.equals("[defaults]")) {
                out.addAll(DEFAULT_COLLECTORS);
            } else if (AVAILABLE_COLLECTORS.contains(name)) {
                out.add(name);
            } else if (WINDOWS_EXPORTER_ONLY.contains(name)) {
                throw new UsageException("--" + Flags.COLLECTORS_ENABLED + ": collector '" + name
                        + "' is a windows_exporter collector that leakwatch does not provide (available: process)");
            } else {
                throw new UsageException("--" + Flags.COLLECTORS_ENABLED + ": unknown collector '"
                        + CommandLine.printable(name) + "' (available: process)");
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("--" + Flags.COLLECTORS_ENABLED + ": no collector enabled (available: process)");
        }
        return out;
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
