package io.leakwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting, validated in one pass. Precedence is Typesafe Config's fallback chain: command
 * line, then {@code --config.file}, then the defaults of {@link Flags}. Each part is a small record
 * owned by the feature that uses it; the features receive their part, never the whole.
 * Whatever {@link #load} accepts starts (short of an address that cannot be bound).
 */
public record Settings(HttpSettings http, WebConfig web, ProcessSettings process, GuardSettings guards,
                       LeakSettings leak, LogSettings log, SelfSettings self, List<String> warnings) {

    /**
     * Defaults that differ when leakwatch runs as a Windows service: it logs to the event log, as
     * windows_exporter does. (Elsewhere, where only tests run the service body, nothing changes.)
     */
    public static final Map<String, Object> SERVICE_DEFAULTS =
            System.getProperty("os.name", "").startsWith("Windows") ? Map.of(Flags.LOG_FILE, "eventlog") : Map.of();

    public Settings {
        warnings = List.copyOf(warnings);
    }

    /** Parses the command line (which must not ask for --help or --version) and loads everything it names. */
    public static Settings parse(List<String> args) throws UsageException {
        CommandLine cli = CommandLine.parse(args);
        if (cli.action() != CommandLine.Action.RUN) {
            throw new UsageException("--help and --version are not settings");
        }
        return load(cli, Map.of());
    }

    /** @param commandLine flag name -> value, as {@link CommandLine} parsed it */
    public static Settings load(Map<String, Object> commandLine) throws UsageException {
        return load(new CommandLine(commandLine, CommandLine.Action.RUN, List.of()), Map.of());
    }

    /**
     * @param overrides defaults that replace the built-in ones ({@link #SERVICE_DEFAULTS}); the
     *                  command line and the config file still win over them
     */
    public static Settings load(CommandLine commandLine, Map<String, Object> overrides) throws UsageException {
        Config cli = ConfigFactory.parseMap(commandLine.values(), "command line");
        ConfigFiles.Loaded file = new ConfigFiles.Loaded(ConfigFactory.empty(), List.of());
        Object configFile = commandLine.values().getOrDefault(Flags.CONFIG_FILE, "");
        if (!configFile.toString().isEmpty()) {
            file = ConfigFiles.load(Path.of(configFile.toString()));
        }
        Config merged;
        try {
            merged = cli.withFallback(file.settings()).withFallback(ConfigFactory.parseMap(overrides, "defaults"))
                    .withFallback(defaults()).resolve();
        } catch (ConfigException e) {
            throw new UsageException("--config.file " + configFile + ": " + ConfigFiles.oneLine(e.getMessage()));
        }
        ConfigValues c = new ConfigValues(merged);
        CollectorSelection collectors = CollectorSelection.resolve(c.string(Flags.COLLECTORS_ENABLED),
                c.string(Flags.COLLECTORS_DISABLED));
        c.integer(Flags.PROCESS_COUNTER_VERSION, 0, 255, "a number from 0 to 255");
        List<String> warnings = new ArrayList<>();
        if (!collectors.notProvided().isEmpty()) {
            warnings.add(collectors.notProvidedWarning());
        }
        if (!collectors.unknownDisabled().isEmpty()) {
            warnings.add("--" + Flags.COLLECTORS_DISABLED + ": no collector is called " + String.join(", ", collectors.unknownDisabled())
                    + "; ignored");
        }
        if (!commandLine.otherCollectorFlags().isEmpty()) {
            warnings.add("flags of collectors leakwatch does not provide are ignored: "
                    + String.join(", ", commandLine.otherCollectorFlags()));
        }
        if (!file.ignored().isEmpty()) {
            warnings.add("config file keys of collectors leakwatch does not provide are ignored: " + String.join(", ", file.ignored()));
        }
        if (cli.hasPath(Flags.PROCESS_COUNTER_VERSION) || file.settings().hasPath(Flags.PROCESS_COUNTER_VERSION)) {
            warnings.add("--" + Flags.PROCESS_COUNTER_VERSION + " has no effect: leakwatch reads no performance counters "
                    + "(one NtQuerySystemInformation call on Windows, /proc on Linux)");
        }
        HttpSettings http = HttpSettings.from(c, collectors.enabled());
        return new Settings(http, WebConfig.from(c), ProcessSettings.from(c), GuardSettings.from(c),
                LeakSettings.from(c, http.listenAddresses().get(0).port()), LogSettings.from(c), SelfSettings.from(c), warnings);
    }

    /** The same settings with other HTTP settings (tests of the limits). */
    public Settings withHttp(HttpSettings newHttp) {
        return new Settings(newHttp, web, process, guards, leak, log, self, warnings);
    }

    static Config defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Flag flag : Flags.all()) {
            values.put(flag.name(), flag.defaultValue());
        }
        return ConfigFactory.parseMap(values, "built-in defaults");
    }
}
