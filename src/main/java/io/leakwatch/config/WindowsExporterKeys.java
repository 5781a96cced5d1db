package io.leakwatch.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Map.entry;

/**
 * What windows_exporter (master 589ec15d, the process collector of v0.31.8) accepts besides what
 * leakwatch implements: its collectors, their command-line flags, and the config-file keys its YAML
 * decoder knows ({@code KnownFields(true)} on its configFile struct). leakwatch serves only the
 * process collector; the rest is accepted and ignored with a warning, its values unchecked (they
 * configure collectors leakwatch does not run), so a fleet's command line and config file start
 * leakwatch unchanged. A name windows_exporter does not know is still an error. Immutable.
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

    /** Flags of the other collectors that take no value (kingpin booleans, also {@code --no-...}); the rest take one. */
    private static final Set<String> BOOLEAN_FLAGS = Set.of("collector.exchange.list", "collector.update.online");

    /** Flags of the other collectors. */
    private static final Set<String> OTHER_FLAGS = Set.of(
            "collector.container.containerd-state-dir", "collector.container.enabled", "collector.dfsr.sources-enabled",
            "collector.dhcp.enabled", "collector.dns.enabled", "collector.exchange.enabled", "collector.exchange.list",
            "collector.file.file-patterns", "collector.hyperv.enabled", "collector.iis.app-exclude", "collector.iis.app-include",
            "collector.iis.site-exclude", "collector.iis.site-include", "collector.logical_disk.enabled",
            "collector.logical_disk.volume-exclude", "collector.logical_disk.volume-include", "collector.mscluster.enabled",
            "collector.mssql.enabled", "collector.net.enabled", "collector.net.nic-exclude", "collector.net.nic-include",
            "collector.netframework.enabled", "collector.performancecounter.objects", "collector.physical_disk.disk-exclude",
            "collector.physical_disk.disk-include", "collector.printer.exclude", "collector.printer.include",
            "collector.scheduled_task.exclude", "collector.scheduled_task.include", "collector.service.exclude",
            "collector.service.include", "collector.service.start-mode-include", "collector.smtp.server-exclude",
            "collector.smtp.server-include", "collector.tcp.enabled", "collector.textfile.directories", "collector.time.enabled",
            "collector.update.online", "collector.update.scrape-interval");

    /**
     * Config-file sections of the other collectors ({@code collector.<section>}, YAML names, which
     * are not always the collector names: paging, smb_client) and the fields each one takes.
     */
    private static final Map<String, Set<String>> OTHER_SECTIONS = Map.ofEntries(
            entry("ad", Set.of()), entry("adcs", Set.of()), entry("adfs", Set.of()), entry("cache", Set.of()),
            entry("container", Set.of("enabled", "containerd-state-dir")),
            entry("cpu", Set.of()), entry("cpu_info", Set.of()),
            entry("dfsr", Set.of("sources-enabled")),
            entry("dhcp", Set.of("enabled")),
            entry("diskdrive", Set.of()),
            entry("dns", Set.of("enabled")),
            entry("exchange", Set.of("enabled")),
            entry("file", Set.of("file-patterns")),
            entry("fsrmquota", Set.of()), entry("gpu", Set.of()),
            entry("hyperv", Set.of("enabled")),
            entry("iis", Set.of("site-include", "site-exclude", "app-include", "app-exclude")),
            entry("license", Set.of()),
            entry("logical_disk", Set.of("enabled", "volume-include", "volume-exclude")),
            entry("memory", Set.of()),
            entry("mscluster", Set.of("enabled")),
            entry("msmq", Set.of()),
            entry("mssql", Set.of("enabled")),
            entry("net", Set.of("nic-exclude", "nic-include", "enabled")),
            entry("netframework", Set.of("enabled")),
            entry("nps", Set.of()), entry("os", Set.of()), entry("paging", Set.of()),
            entry("physical_disk", Set.of("disk-include", "disk-exclude")),
            entry("printer", Set.of("include", "exclude")),
            entry("remote_fx", Set.of()),
            entry("scheduled_task", Set.of("exclude", "include")),
            entry("service", Set.of("include", "exclude", "start-mode-include")),
            entry("smb", Set.of()), entry("smb_client", Set.of()),
            entry("smtp", Set.of("server-include", "server-exclude")),
            entry("system", Set.of()),
            entry("tcp", Set.of("enabled")),
            entry("terminal_services", Set.of()),
            entry("textfile", Set.of("directories")),
            entry("thermalzone", Set.of()),
            entry("time", Set.of("enabled")),
            entry("udp", Set.of()),
            entry("update", Set.of("online", "scrape_interval")),
            entry("vmware", Set.of()));

    /** Takes anything: windows_exporter's performancecounter section unmarshals its own YAML later. */
    private static final String FREE_SECTION = "performancecounter";

    private WindowsExporterKeys() {
    }

    /** Whether windows_exporter has this flag for one of its other collectors. */
    static boolean isOtherCollectorFlag(String name) {
        return OTHER_FLAGS.contains(name);
    }

    /** Whether the command line takes this flag of another collector without a value (a boolean). */
    static boolean takesNoValue(String name) {
        return BOOLEAN_FLAGS.contains(name);
    }

    /** Every flag of the other collectors, for the compatibility tests. */
    static Set<String> otherCollectorFlags() {
        return OTHER_FLAGS;
    }

    /** What a config-file key of another collector is. */
    sealed interface FileKey {
        /** windows_exporter takes it; leakwatch ignores it. */
        record Ignored(String key) implements FileKey {
        }

        /** windows_exporter does not know it. */
        record Refused(String problem) implements FileKey {
        }

        /** Not a key of another collector (leakwatch's own, or unknown to both). */
        record NotOther() implements FileKey {
        }
    }

    /** Classifies one flattened config-file key ({@code collector.service.include}) by its name alone. */
    static FileKey fileKey(String key) {
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
        Set<String> fields = OTHER_SECTIONS.get(section);
        if (fields == null) {
            return new FileKey.NotOther();
        }
        if (dot < 0 || fields.contains(rest.substring(dot + 1))) {
            return new FileKey.Ignored(key);
        }
        return new FileKey.Refused("unknown key '" + CommandLine.printable(key) + "': windows_exporter's " + section
                + " collector has " + (fields.isEmpty() ? "no settings" : "only " + String.join(", ", fields.stream().sorted().toList())));
    }
}
