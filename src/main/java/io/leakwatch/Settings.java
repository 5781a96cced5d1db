package io.leakwatch;

import io.leakwatch.backend.ProcessSettings;
import io.leakwatch.config.CollectorSelection;
import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigFiles;
import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.FlagSet;
import io.leakwatch.config.UsageException;
import io.leakwatch.guard.GuardSettings;
import io.leakwatch.http.HttpLimits;
import io.leakwatch.http.HttpSettings;
import io.leakwatch.http.WebConfig;
import io.leakwatch.leak.LeakSettings;
import io.leakwatch.logging.LogSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every setting, validated in one pass. Precedence is Typesafe Config's fallback chain: command
 * line, then {@code --config.file}, then the defaults of each flag. Each part is the record of the
 * feature that owns it, with its flags; the features receive their part, never the whole.
 * Whatever {@link #load} accepts starts (short of an address that cannot be bound).
 */
public record Settings(HttpSettings http, WebConfig web, ProcessSettings process, GuardSettings guards,
                       LeakSettings leak, LogSettings log, SelfSettings self, List<String> warnings) {

    /** Every flag, in the order --help and docs/flags.md list them. */
    public static final FlagSet FLAGS = new FlagSet(Stream.of(
            List.of(ConfigFiles.FLAG), CollectorSelection.FLAGS, HttpSettings.FLAGS, HttpLimits.FLAGS, WebConfig.FLAGS,
            LogSettings.FLAGS, SelfSettings.FLAGS, ProcessSettings.FLAGS, GuardSettings.FLAGS, LeakSettings.FLAGS)
            .flatMap(List::stream).toList());

    /**
     * Defaults that differ when leakwatch runs as a Windows service: it logs to the event log, as
     * windows_exporter does. (Elsewhere, where only tests run the service body, nothing changes.)
     */
    public static final Map<String, Object> SERVICE_DEFAULTS =
            System.getProperty("os.name", "").startsWith("Windows") ? Map.of(LogSettings.FILE.name(), "eventlog") : Map.of();

    public Settings {
        warnings = List.copyOf(warnings);
    }

    /** Parses command-line arguments against every flag leakwatch has. */
    public static CommandLine commandLine(List<String> args) throws UsageException {
        return CommandLine.parse(args, FLAGS);
    }

    /** Parses the command line (which must not ask for --help or --version) and loads everything it names. */
    public static Settings parse(List<String> args) throws UsageException {
        CommandLine cli = commandLine(args);
        if (cli.action() != CommandLine.Action.RUN) {
            throw new UsageException("--help and --version are not settings");
        }
        return load(cli, Map.of());
    }

    /** @param commandLine flag name -> value, as {@link CommandLine} parses them */
    public static Settings load(Map<String, Object> commandLine) throws UsageException {
        return load(new CommandLine(commandLine, CommandLine.Action.RUN, List.of()), Map.of());
    }

    /**
     * @param overrides defaults that replace the built-in ones ({@link #SERVICE_DEFAULTS}); the
     *                  command line and the config file still win over them
     */
    public static Settings load(CommandLine commandLine, Map<String, Object> overrides) throws UsageException {
        ConfigValues c = ConfigValues.load(commandLine, overrides, FLAGS);
        List<String> warnings = new ArrayList<>();
        CollectorSelection collectors = CollectorSelection.from(c, warnings);
        warnings.addAll(c.warnings());
        ProcessSettings process = ProcessSettings.from(c, warnings);
        SelfSettings self = SelfSettings.from(c, warnings);
        HttpSettings http = HttpSettings.from(c, collectors.enabled(), warnings);
        return new Settings(http, WebConfig.from(c), process, GuardSettings.from(c),
                LeakSettings.from(c, http.listenAddresses().get(0).port()), LogSettings.from(c), self, warnings);
    }

    /** The same settings with other HTTP settings (tests of the limits). */
    public Settings withHttp(HttpSettings newHttp) {
        return new Settings(newHttp, web, process, guards, leak, log, self, warnings);
    }
}
