package io.leakwatch.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.leakwatch.common.GoRegex;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Map.entry;

/**
 * What windows_exporter (master 589ec15d, the process collector of v0.31.8) accepts besides what
 * leakwatch implements: its collectors, their command-line flags, and the config-file keys its YAML
 * decoder knows ({@code KnownFields(true)} on its configFile struct). leakwatch serves only the
 * process collector; the rest is accepted, checked as windows_exporter checks it, and ignored with
 * a warning, so a fleet's command line and config file start leakwatch unchanged. Immutable.
 */
final class WindowsExporterKeys {
    /** windows_exporter's {@code [defaults]}: its DefaultCollectors. The process collector is not among them. */
    static final List<String> DEFAULT_COLLECTORS =
            List.of("cpu", "memory", "logical_disk", "physical_disk", "net", "os", "service", "system");

    /** Every collector name --collectors.enabled accepts. */
    static final Set<String> COLLECTORS = Set.of(
            "ad", "adcs", "adfs", "cache", "container", "cpu", "cpu_info", "dfsr", "dhcp", "diskdrive", "dns",
            "exchange", "file", "fsrmquota", "gpu", "hyperv", "iis", "license", "logical_disk", "memory", "mscluster",
            "msmq", "mssql", "net", "netframework", "nps", "os", "pagefile", "performancecounter", "physical_disk",
            "printer", "process", "remote_fx", "scheduled_task", "service", "smb", "smbclient", "smtp", "system", "tcp",
            "terminal_services", "textfile", "thermalzone", "time", "udp", "update", "vmware");

    /** How windows_exporter reads a value. */
    enum Kind {
        /** any scalar */
        STRING,
        /** true/false (a config file also takes YAML 1.1's yes/no/on/off) */
        BOOL,
        /** a YAML sequence in a config file; a comma list as a flag */
        LIST,
        /** an RE2 expression */
        REGEX,
        /** 0-255 */
        UINT8,
        /** a Go duration such as 6h or 90s */
        DURATION
    }

    /** Flags of the other collectors, with how the command line takes them (BOOL takes no value). */
    private static final Map<String, Kind> OTHER_FLAGS = Map.ofEntries(
            entry("collector.container.containerd-state-dir", Kind.STRING),
            entry("collector.container.enabled", Kind.STRING),
            entry("collector.dfsr.sources-enabled", Kind.STRING),
            entry("collector.dhcp.enabled", Kind.STRING),
            entry("collector.dns.enabled", Kind.STRING),
            entry("collector.exchange.enabled", Kind.STRING),
            entry("collector.exchange.list", Kind.BOOL),
            entry("collector.file.file-patterns", Kind.STRING),
            entry("collector.hyperv.enabled", Kind.STRING),
            entry("collector.iis.app-exclude", Kind.REGEX),
            entry("collector.iis.app-include", Kind.REGEX),
            entry("collector.iis.site-exclude", Kind.REGEX),
            entry("collector.iis.site-include", Kind.REGEX),
            entry("collector.logical_disk.enabled", Kind.STRING),
            entry("collector.logical_disk.volume-exclude", Kind.REGEX),
            entry("collector.logical_disk.volume-include", Kind.REGEX),
            entry("collector.mscluster.enabled", Kind.STRING),
            entry("collector.mssql.enabled", Kind.STRING),
            entry("collector.net.enabled", Kind.STRING),
            entry("collector.net.nic-exclude", Kind.REGEX),
            entry("collector.net.nic-include", Kind.REGEX),
            entry("collector.netframework.enabled", Kind.STRING),
            entry("collector.performancecounter.objects", Kind.STRING),
            entry("collector.physical_disk.disk-exclude", Kind.REGEX),
            entry("collector.physical_disk.disk-include", Kind.REGEX),
            entry("collector.printer.exclude", Kind.REGEX),
            entry("collector.printer.include", Kind.REGEX),
            entry("collector.scheduled_task.exclude", Kind.REGEX),
            entry("collector.scheduled_task.include", Kind.REGEX),
            entry("collector.service.exclude", Kind.REGEX),
            entry("collector.service.include", Kind.REGEX),
            entry("collector.service.start-mode-include", Kind.STRING),
            entry("collector.smtp.server-exclude", Kind.REGEX),
            entry("collector.smtp.server-include", Kind.REGEX),
            entry("collector.tcp.enabled", Kind.STRING),
            entry("collector.textfile.directories", Kind.STRING),
            entry("collector.time.enabled", Kind.STRING),
            entry("collector.update.online", Kind.BOOL),
            entry("collector.update.scrape-interval", Kind.DURATION));

    /**
     * Config-file sections of the other collectors ({@code collector.<section>}, YAML names, which
     * are not always the collector names: paging, smb_client) and the fields each one takes.
     */
    private static final Map<String, Map<String, Kind>> OTHER_SECTIONS = Map.ofEntries(
            entry("ad", Map.of()), entry("adcs", Map.of()), entry("adfs", Map.of()), entry("cache", Map.of()),
            entry("container", Map.of("enabled", Kind.LIST, "containerd-state-dir", Kind.STRING)),
            entry("cpu", Map.of()), entry("cpu_info", Map.of()),
            entry("dfsr", Map.of("sources-enabled", Kind.LIST)),
            entry("dhcp", Map.of("enabled", Kind.LIST)),
            entry("diskdrive", Map.of()),
            entry("dns", Map.of("enabled", Kind.LIST)),
            entry("exchange", Map.of("enabled", Kind.LIST)),
            entry("file", Map.of("file-patterns", Kind.LIST)),
            entry("fsrmquota", Map.of()), entry("gpu", Map.of()),
            entry("hyperv", Map.of("enabled", Kind.LIST)),
            entry("iis", Map.of("site-include", Kind.REGEX, "site-exclude", Kind.REGEX,
                    "app-include", Kind.REGEX, "app-exclude", Kind.REGEX)),
            entry("license", Map.of()),
            entry("logical_disk", Map.of("enabled", Kind.LIST, "volume-include", Kind.REGEX, "volume-exclude", Kind.REGEX)),
            entry("memory", Map.of()),
            entry("mscluster", Map.of("enabled", Kind.LIST)),
            entry("msmq", Map.of()),
            entry("mssql", Map.of("enabled", Kind.LIST)),
            entry("net", Map.of("nic-exclude", Kind.REGEX, "nic-include", Kind.REGEX, "enabled", Kind.LIST)),
            entry("netframework", Map.of("enabled", Kind.LIST)),
            entry("nps", Map.of()), entry("os", Map.of()), entry("paging", Map.of()),
            entry("physical_disk", Map.of("disk-include", Kind.REGEX, "disk-exclude", Kind.REGEX)),
            entry("printer", Map.of("include", Kind.REGEX, "exclude", Kind.REGEX)),
            entry("remote_fx", Map.of()),
            entry("scheduled_task", Map.of("exclude", Kind.REGEX, "include", Kind.REGEX)),
            entry("service", Map.of("include", Kind.REGEX, "exclude", Kind.REGEX, "start-mode-include", Kind.LIST)),
            entry("smb", Map.of()), entry("smb_client", Map.of()),
            entry("smtp", Map.of("server-include", Kind.REGEX, "server-exclude", Kind.REGEX)),
            entry("system", Map.of()),
            entry("tcp", Map.of("enabled", Kind.LIST)),
            entry("terminal_services", Map.of()),
            entry("textfile", Map.of("directories", Kind.LIST)),
            entry("thermalzone", Map.of()),
            entry("time", Map.of("enabled", Kind.LIST)),
            entry("udp", Map.of()),
            entry("update", Map.of("online", Kind.BOOL, "scrape_interval", Kind.DURATION)),
            entry("vmware", Map.of()));

    /** Decodes anything: windows_exporter's performancecounter section unmarshals its own YAML later. */
    private static final String FREE_SECTION = "performancecounter";

    /** Go's time.ParseDuration: a sequence of decimal numbers with units. */
    private static final java.util.regex.Pattern GO_DURATION =
            java.util.regex.Pattern.compile("[-+]?((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+|[-+]?0");

    private static final Set<String> YAML11_BOOLEANS = Set.of("y", "yes", "on", "true", "n", "no", "off", "false");

    private WindowsExporterKeys() {
    }

    /** How the command line takes a flag of another collector; empty when windows_exporter has no such flag. */
    static Optional<Kind> otherCollectorFlag(String name) {
        return Optional.ofNullable(OTHER_FLAGS.get(name));
    }

    /** Every flag of the other collectors, for the compatibility tests. */
    static Set<String> otherCollectorFlags() {
        return OTHER_FLAGS.keySet();
    }

    /**
     * Checks a flag value of another collector as windows_exporter's parser would.
     *
     * @return the problem, or empty when windows_exporter would take the value
     */
    static Optional<String> checkFlagValue(String name, String value) {
        Kind kind = OTHER_FLAGS.get(name);
        if (kind == Kind.REGEX) {
            // windows_exporter compiles these as it does include/exclude: ^(?:RE)$
            return regexProblem("^(?:" + value + ")$").map(p -> "--" + name + ": invalid regex: " + p);
        }
        if (kind == Kind.DURATION && !GO_DURATION.matcher(value.trim()).matches()) {
            return Optional.of("--" + name + ": '" + CommandLine.printable(value) + "' is not a duration such as 6h or 30m");
        }
        return Optional.empty();
    }

    /** What a config-file key of another collector is. */
    sealed interface FileKey {
        /** windows_exporter takes it; leakwatch ignores it. */
        record Ignored(String key) implements FileKey {
        }

        /** windows_exporter would refuse the file. */
        record Refused(String problem) implements FileKey {
        }

        /** Not a key of another collector (leakwatch's own, or unknown to both). */
        record NotOther() implements FileKey {
        }
    }

    /**
     * Classifies one flattened config-file key ({@code collector.service.include}) and its value
     * (String, Boolean, Number, List, or null as the YAML reader gives it).
     */
    static FileKey fileKey(String key, Object value) {
        if (!key.startsWith("collector.")) {
            return new FileKey.NotOther();
        }
        String rest = key.substring("collector.".length());
        int dot = rest.indexOf('.');
        String section = dot < 0 ? rest : rest.substring(0, dot);
        if (section.equals("process")) {
            return new FileKey.NotOther();
        }
        if (section.equals(FREE_SECTION)) {
            return new FileKey.Ignored(key);
        }
        Map<String, Kind> fields = OTHER_SECTIONS.get(section);
        if (fields == null) {
            return new FileKey.NotOther();
        }
        if (dot < 0) {
            // "collector: {cpu: }" decodes to an empty struct; a scalar or list does not
            return value == null ? new FileKey.Ignored(key)
                    : new FileKey.Refused(key + " must be a mapping of the " + section + " collector's settings");
        }
        String field = rest.substring(dot + 1);
        Kind kind = fields.get(field);
        if (kind == null) {
            return new FileKey.Refused("unknown key '" + CommandLine.printable(key) + "': windows_exporter's "
                    + section + " collector has " + (fields.isEmpty() ? "no settings" : "only " + String.join(", ", sorted(fields.keySet()))));
        }
        return valueProblem(kind, value).<FileKey>map(p -> new FileKey.Refused(key + ": " + p))
                .orElse(new FileKey.Ignored(key));
    }

    private static Optional<String> valueProblem(Kind kind, Object value) {
        if (value == null) {
            return Optional.empty(); // YAML null: the field keeps its zero value
        }
        if (kind == Kind.LIST) {
            return value instanceof List<?> ? Optional.empty() : Optional.of("must be a list, e.g. [a, b]");
        }
        if (value instanceof List<?> || value instanceof Map<?, ?>) {
            return Optional.of("must be a single value, not a list or mapping");
        }
        String text = String.valueOf(value);
        return switch (kind) {
            case BOOL -> value instanceof Boolean || YAML11_BOOLEANS.contains(text.toLowerCase(Locale.ROOT))
                    ? Optional.empty() : Optional.of("'" + CommandLine.printable(text) + "' is not true or false");
            case UINT8 -> text.matches("\\d{1,3}") && Integer.parseInt(text) <= 255
                    ? Optional.empty() : Optional.of("'" + CommandLine.printable(text) + "' is not a number from 0 to 255");
            case DURATION -> GO_DURATION.matcher(text).matches() || text.matches("-?\\d+")
                    ? Optional.empty() : Optional.of("'" + CommandLine.printable(text) + "' is not a duration such as 6h");
            // a YAML regex field is compiled as written (UnmarshalText), before any ^(?:...)$ wrapping
            case REGEX -> regexProblem(text).map(p -> "invalid regex: " + p);
            default -> Optional.empty();
        };
    }

    private static Optional<String> regexProblem(String regex) {
        try {
            GoRegex.check(regex);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            return Optional.of(e.getDescription() + " in '" + CommandLine.printable(regex) + "'");
        }
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }
}
