package io.leakwatch.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code --collectors.enabled} and {@code --collectors.disabled} with windows_exporter's meaning:
 * "[defaults]" in the enabled list stands for windows_exporter's default collectors (cpu, memory,
 * logical_disk, physical_disk, net, os, service, system: not process), every enabled name must be a
 * windows_exporter collector, and the disabled list then removes names (no expansion; names it does
 * not know are ignored). leakwatch provides only process: it must be in the result, the others are
 * reported so the user can run them on windows_exporter. Unlike windows_exporter, spaces around
 * names and empty items are tolerated.
 *
 * @param notProvided   enabled windows_exporter collectors leakwatch does not serve, in order
 * @param unknownDisabled disabled names that are no collector (windows_exporter ignores them silently)
 */
public record CollectorSelection(List<String> notProvided, List<String> unknownDisabled) {
    public static final String PROCESS = "process";

    public static final Flag ENABLED = Flag.string("collectors.enabled", PROCESS,
            "Comma-separated collectors, by windows_exporter's names ([defaults] too). leakwatch serves process, "
                    + "which must be in the list; others are accepted with a warning.");
    public static final Flag DISABLED = Flag.string("collectors.disabled", "",
            "Comma-separated collectors to leave out of --collectors.enabled.");
    public static final List<Flag> FLAGS = List.of(ENABLED, DISABLED);

    /** Resolves both flags, adding a warning for each thing the user should know. */
    public static CollectorSelection from(ConfigValues c, List<String> warnings) throws UsageException {
        CollectorSelection selection = resolve(c.string(ENABLED), c.string(DISABLED));
        if (!selection.notProvided().isEmpty()) {
            warnings.add(selection.notProvidedWarning());
        }
        if (!selection.unknownDisabled().isEmpty()) {
            warnings.add(DISABLED + ": no collector is called " + String.join(", ", selection.unknownDisabled()) + "; ignored");
        }
        return selection;
    }

    /**
     * Every enabled collector: what a scrape may name in collect[]. Only process produces samples;
     * asking for another one answers without its samples instead of failing the scrape.
     */
    public Set<String> enabled() {
        Set<String> all = new LinkedHashSet<>();
        all.add(PROCESS);
        all.addAll(notProvided);
        return all;
    }

    public static CollectorSelection resolve(String enabled, String disabled) throws UsageException {
        Set<String> selected = new LinkedHashSet<>();
        for (String raw : enabled.replace("[defaults]", String.join(",", WindowsExporterKeys.DEFAULT_COLLECTORS)).split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!WindowsExporterKeys.COLLECTORS.contains(name)) {
                throw new UsageException("--collectors.enabled: unknown collector '" + CommandLine.printable(name)
                        + "' (windows_exporter has no such collector; leakwatch provides process)");
            }
            selected.add(name);
        }
        List<String> unknownDisabled = new ArrayList<>();
        for (String raw : disabled.split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!selected.remove(name) && !WindowsExporterKeys.COLLECTORS.contains(name)) {
                unknownDisabled.add(CommandLine.printable(name));
            }
        }
        if (!selected.contains(PROCESS)) {
            throw new UsageException("the process collector is not enabled (collectors: "
                    + (selected.isEmpty() ? "none" : String.join(",", selected))
                    + "), and it is the only one leakwatch provides: add process to --collectors.enabled"
                    + (enabled.contains("[defaults]") ? " (windows_exporter's [defaults] do not include it)" : ""));
        }
        selected.remove(PROCESS);
        return new CollectorSelection(List.copyOf(selected), List.copyOf(unknownDisabled));
    }

    /** One line for the log when other collectors were enabled; empty when there were none. */
    public String notProvidedWarning() {
        if (notProvided.isEmpty()) {
            return "";
        }
        return "leakwatch provides only the process collector; not served here: " + String.join(", ", notProvided)
                + " (windows_exporter can serve them on another port, e.g. --collectors.disabled=process --web.listen-address=:9183)";
    }
}
