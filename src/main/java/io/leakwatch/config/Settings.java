package io.leakwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.leakwatch.model.ProcessFilter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Validated settings. Precedence is Typesafe Config's fallback chain:
 * command line, then {@code --config.file}, then the defaults of {@link Flags}.
 */
public record Settings(
        List<ListenAddress> listenAddresses,
        String telemetryPath,
        Set<String> enabledCollectors,
        double timeoutMarginSeconds,
        String logLevel,
        String logFormat,
        boolean disableExporterMetrics,
        ProcessFilter processFilter,
        boolean processCmdline,
        boolean processIis,
        Path procfs,
        Config config) {

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

    public static Settings load(Map<String, Object> commandLine) throws UsageException {
        Config cli = ConfigFactory.parseMap(commandLine, "command line");
        Config file = ConfigFactory.empty();
        String configFile = cli.hasPath(Flags.CONFIG_FILE) ? cli.getString(Flags.CONFIG_FILE) : "";
        if (!configFile.isEmpty()) {
            file = ConfigFiles.load(Path.of(configFile));
            rejectUnknownKeys(file, configFile);
        }
        Config merged = cli.withFallback(file).withFallback(defaults()).resolve();
        return from(merged);
    }

    static Config defaults() {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        for (Flag flag : Flags.all()) {
            values.put(flag.name(), flag.defaultValue());
        }
        return ConfigFactory.parseMap(values, "built-in defaults");
    }

    private static void rejectUnknownKeys(Config file, String configFile) throws UsageException {
        for (Map.Entry<String, ConfigValue> entry : file.entrySet()) {
            String key = entry.getKey();
            if (Flags.find(key).isEmpty()) {
                throw new UsageException("--config.file " + configFile + ": unknown key '" + CommandLine.printable(key) + "'");
            }
            if (key.equals(Flags.CONFIG_FILE)) {
                throw new UsageException("--config.file " + configFile + ": key 'config.file' is only valid on the command line");
            }
        }
    }

    static Settings from(Config c) throws UsageException {
        List<ListenAddress> addresses = new ArrayList<>();
        for (String text : stringList(c, Flags.LISTEN_ADDRESS)) {
            addresses.add(ListenAddress.parse(text.trim()));
        }
        if (addresses.isEmpty()) {
            throw new UsageException("--" + Flags.LISTEN_ADDRESS + ": at least one address is needed");
        }
        String path = string(c, Flags.TELEMETRY_PATH);
        if (!path.startsWith("/") || path.length() < 2 || path.chars().anyMatch(ch -> ch <= ' ' || ch == '?' || ch == '#')) {
            throw new UsageException("--" + Flags.TELEMETRY_PATH + ": '" + CommandLine.printable(path)
                    + "' must be a path like /metrics (starts with /, not just /, no spaces, ? or #)");
        }
        return new Settings(
                List.copyOf(addresses),
                path,
                collectors(string(c, Flags.COLLECTORS_ENABLED)),
                timeoutMargin(string(c, Flags.TIMEOUT_MARGIN)),
                oneOf(c, Flags.LOG_LEVEL, "debug", "info", "warn", "error"),
                oneOf(c, Flags.LOG_FORMAT, "logfmt", "json"),
                bool(c, Flags.DISABLE_EXPORTER_METRICS),
                filter(string(c, Flags.PROCESS_INCLUDE), string(c, Flags.PROCESS_EXCLUDE)),
                bool(c, Flags.PROCESS_CMDLINE),
                bool(c, Flags.PROCESS_IIS),
                Path.of(string(c, Flags.PROCFS)),
                c);
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
        return Set.copyOf(out);
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

    private static ProcessFilter filter(String include, String exclude) throws UsageException {
        try {
            return ProcessFilter.of(include, exclude);
        } catch (ProcessFilter.InvalidRegexException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static String oneOf(Config c, String key, String... allowed) throws UsageException {
        String value = string(c, key).trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new UsageException("--" + key + ": '" + CommandLine.printable(value) + "' is not one of " + String.join(", ", allowed));
    }

    private static String string(Config c, String key) throws UsageException {
        try {
            ConfigValue v = c.getValue(key);
            if (v.valueType() == ConfigValueType.LIST) {
                return String.join(",", c.getStringList(key));
            }
            return c.getString(key);
        } catch (ConfigException e) {
            throw new UsageException("--" + key + ": " + ConfigFiles.oneLine(e.getMessage()));
        }
    }

    private static List<String> stringList(Config c, String key) throws UsageException {
        try {
            if (c.getValue(key).valueType() == ConfigValueType.LIST) {
                return c.getStringList(key);
            }
            return List.of(c.getString(key).split(","));
        } catch (ConfigException e) {
            throw new UsageException("--" + key + ": " + ConfigFiles.oneLine(e.getMessage()));
        }
    }

    private static boolean bool(Config c, String key) throws UsageException {
        Flag flag = Flags.find(key).orElseThrow();
        ConfigValue v = c.getValue(key);
        if (v.valueType() == ConfigValueType.BOOLEAN) {
            return (Boolean) v.unwrapped();
        }
        return CommandLine.parseBoolean(flag, String.valueOf(v.unwrapped()));
    }
}
