package io.leakwatch.service;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigFiles;
import io.leakwatch.config.FlagSet;
import io.leakwatch.config.UsageException;

import java.util.List;

/**
 * The exporter's flags as the service commands see them: they are installed with the service and
 * passed to it at every start, so install parses and checks them exactly as a start would.
 */
public interface ExporterFlags {
    /** Every flag the exporter has. */
    FlagSet set();

    /** Everything a start checks (config file, web config, certificates), with the service's defaults. */
    void check(CommandLine cli) throws UsageException;

    /** The ports the exporter listens on with these flags (and its config file). */
    List<Integer> listenPorts(CommandLine cli) throws UsageException;

    default CommandLine parse(List<String> flags) throws UsageException {
        return CommandLine.parse(flags, set());
    }

    /** @return the flags' {@code --config.file}, or "" without one (or if they do not parse: validated at install) */
    default String configFile(List<String> flags) {
        try {
            Object configFile = parse(flags).values().get(ConfigFiles.FLAG.name());
            if (configFile instanceof String file) {
                return file;
            }
        } catch (UsageException e) {
            // validated at install
        }
        return "";
    }
}
