package io.leakwatch.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.leakwatch.config.Flag.Kind.BOOLEAN;
import static io.leakwatch.config.Flag.Kind.REPEATABLE;
import static io.leakwatch.config.Flag.Kind.STRING;

/** Every setting leakwatch has: the single table behind the CLI, the config file and --help. */
public final class Flags {
    public static final String CONFIG_FILE = "config.file";
    public static final String LISTEN_ADDRESS = "web.listen-address";
    public static final String TELEMETRY_PATH = "telemetry.path";
    public static final String COLLECTORS_ENABLED = "collectors.enabled";
    public static final String COLLECTORS_DISABLED = "collectors.disabled";
    public static final String TIMEOUT_MARGIN = "scrape.timeout-margin";
    public static final String LOG_LEVEL = "log.level";
    public static final String LOG_FORMAT = "log.format";
    public static final String LOG_FILE = "log.file";
    public static final String PROCESS_PRIORITY = "process.priority";
    public static final String PROCESS_MEMORY_LIMIT = "process.memory-limit";
    public static final String DEBUG_ENABLED = "debug.enabled";
    public static final String PROCESS_COUNTER_VERSION = "collector.process.counter-version";
    public static final String DISABLE_EXPORTER_METRICS = "web.disable-exporter-metrics";
    public static final String PROCESS_INCLUDE = "collector.process.include";
    public static final String PROCESS_EXCLUDE = "collector.process.exclude";
    public static final String PROCESS_CMDLINE = "collector.process.cmdline";
    public static final String PROCESS_IIS = "collector.process.iis";
    public static final String PROCFS = "path.procfs";
    public static final String WEB_CONFIG_FILE = "web.config.file";
    public static final String WEB_MAX_REQUESTS = "web.max-requests";
    public static final String WEB_MAX_CONNECTIONS = "web.max-connections";
    public static final String WEB_MAX_CONNECTIONS_PER_CLIENT = "web.max-connections-per-client";
    public static final String PROCESS_CMDLINE_REDACT = "collector.process.cmdline-redact";
    public static final String PROCESS_MAX_PROCESSES = "collector.process.max-processes";
    public static final String LEAK_ENABLED = "leak.enabled";
    public static final String LEAK_SAMPLE_INTERVAL = "leak.sample-interval";
    public static final String LEAK_WINDOW = "leak.window";
    public static final String LEAK_STATE_FILE = "leak.state-file";
    public static final String LEAK_MIN_GROWTH = "leak.min-growth";
    public static final String LEAK_MIN_HANDLE_GROWTH = "leak.min-handle-growth";

    private static final List<Flag> ALL = List.of(
            new Flag(CONFIG_FILE, STRING, "",
                    "Config file: HOCON/JSON, or windows_exporter YAML (.yml/.yaml). Its keys are the flag names; flags win."),
            new Flag(LISTEN_ADDRESS, REPEATABLE, List.of(":9182"),
                    "Address to listen on, host:port (no host = all interfaces). Repeat for several."),
            new Flag(TELEMETRY_PATH, STRING, "/metrics", "Path under which metrics are served."),
            new Flag(COLLECTORS_ENABLED, STRING, "process",
                    "Comma-separated collectors, by windows_exporter's names; [defaults] = windows_exporter's defaults "
                            + "(cpu,memory,logical_disk,physical_disk,net,os,service,system). leakwatch serves process, which "
                            + "must be enabled; others are accepted with a warning."),
            new Flag(COLLECTORS_DISABLED, STRING, "",
                    "Comma-separated collectors to leave out of --collectors.enabled."),
            new Flag(TIMEOUT_MARGIN, STRING, "0.5",
                    "Seconds subtracted from Prometheus' X-Prometheus-Scrape-Timeout-Seconds to get the scrape deadline."),
            new Flag(LOG_LEVEL, STRING, "info", "Log level: debug, info, warn or error."),
            new Flag(LOG_FORMAT, STRING, "logfmt",
                    "Log format: logfmt or json, one event per line, as Prometheus' promslog writes them."),
            new Flag(LOG_FILE, STRING, "stdout",
                    "Where logs go: stdout, stderr, eventlog (the Windows event log; the default for the Windows service) or a file path."),
            new Flag(PROCESS_PRIORITY, STRING, "normal",
                    "The exporter's own priority: realtime, high, abovenormal, normal, belownormal or low "
                            + "(Windows: priority class; Linux: nice -20, -10, -5, 0, 10, 19)."),
            new Flag(PROCESS_MEMORY_LIMIT, STRING, "0",
                    "Bytes the exporter should stay under (0 = no limit); checked against the JVM's own limits at startup, "
                            + "with a warning naming the JVM flag to change when they exceed it."),
            new Flag(DEBUG_ENABLED, BOOLEAN, false,
                    "Serve JVM diagnostics under /debug/: thread dump, heap class histogram, Java Flight Recorder recording."),
            new Flag(DISABLE_EXPORTER_METRICS, BOOLEAN, false,
                    "Leave out the exporter's own process_* and jvm_* metrics."),
            new Flag(PROCESS_INCLUDE, STRING, ".+", "Regex of process names to include (Go RE2 syntax, full match)."),
            new Flag(PROCESS_EXCLUDE, STRING, "", "Regex of process names to exclude (Go RE2 syntax, full match)."),
            new Flag(PROCESS_CMDLINE, BOOLEAN, true,
                    "Fill the cmdline label of windows_process_info (command lines can hold secrets)."),
            new Flag(PROCESS_IIS, BOOLEAN, false, "Windows only: append the IIS app pool name to w3wp processes."),
            new Flag(PROCESS_COUNTER_VERSION, STRING, "1",
                    "Accepted for windows_exporter (0-255) and without effect: leakwatch reads no performance counters."),
            new Flag(PROCFS, STRING, "/proc", "Linux only: procfs mount point (e.g. /host/proc in a container)."),
            new Flag(WEB_CONFIG_FILE, STRING, "",
                    "TLS and basic auth config in Prometheus exporter-toolkit YAML format (tls_server_config, basic_auth_users)."),
            new Flag(WEB_MAX_REQUESTS, STRING, "8",
                    "Most requests to /metrics and /leaks served at once; more get 503 (0 = no limit)."),
            new Flag(WEB_MAX_CONNECTIONS, STRING, "128",
                    "Most connections open at once, before TLS and authentication; lowered to what a quarter of the heap holds."
                            + " When all are taken, a new client gets in only in place of one held by a client with more."),
            new Flag(WEB_MAX_CONNECTIONS_PER_CLIENT, STRING, "16",
                    "Most connections open at once from one client address (IPv6: one /64)."),
            new Flag(PROCESS_CMDLINE_REDACT, STRING, GuardSettings.DEFAULT_REDACT_REGEX,
                    "RE2 regex (Go's dialect, linear time) over the process name and the cmdline label: each capturing group of a match"
                            + " (or the whole match if it has none) becomes *** (empty = off). The default hides passwords, tokens,"
                            + " keys, URL passwords, Bearer/Basic credentials, sshpass -p and mysql -p values; see docs/security.md."),
            new Flag(PROCESS_MAX_PROCESSES, STRING, "10000",
                    "Most processes exported per scrape; beyond it the largest by private bytes are kept (0 = no limit)."),
            new Flag(LEAK_ENABLED, BOOLEAN, true,
                    "Built-in leak detection: sample in the background, serve /leaks and the leakwatch_leak_* metrics."),
            new Flag(LEAK_SAMPLE_INTERVAL, STRING, "60s",
                    "Leak detection: collect at least this often (a scrape that just ran is reused), e.g. 60s, 5m."),
            new Flag(LEAK_WINDOW, STRING, "24h",
                    "Leak detection: history judged per process, kept as 48 bucket floors, e.g. 24h, 7d (>= 10 sample intervals)."),
            new Flag(LEAK_STATE_FILE, STRING, "auto",
                    "Leak detection: file keeping the history across restarts, saved every minute; empty = do not save; "
                            + "auto = leak-state-PORT.json (PORT: the first --web.listen-address's) in "
                            + "$XDG_STATE_HOME/leakwatch or ~/.local/state/leakwatch (Linux), %LOCALAPPDATA%\\leakwatch (Windows)."),
            new Flag(LEAK_MIN_GROWTH, STRING, "10MiB/d",
                    "Leak detection: growth of the lower envelope of private bytes that makes a suspect, size per duration, "
                            + "e.g. 10MiB/d, 1MB/h."),
            new Flag(LEAK_MIN_HANDLE_GROWTH, STRING, "100/d",
                    "Leak detection: growth of the lower envelope of the handle count that makes a suspect, count per "
                            + "duration, e.g. 100/d."));

    private static final Map<String, Flag> BY_NAME = new LinkedHashMap<>();

    static {
        for (Flag flag : ALL) {
            BY_NAME.put(flag.name(), flag);
        }
    }

    private Flags() {
    }

    public static List<Flag> all() {
        return ALL;
    }

    public static Optional<Flag> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
