package io.leakwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;

import java.nio.file.Path;
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
                       LeakSettings leak, LogSettings log) {

    /** Parses the command line (which must not ask for --help or --version) and loads everything it names. */
    public static Settings parse(List<String> args) throws UsageException {
        CommandLine cli = CommandLine.parse(args);
        if (cli.action() != CommandLine.Action.RUN) {
            throw new UsageException("--help and --version are not settings");
        }
        return load(cli.values());
    }

    /** @param commandLine flag name -> value, as {@link CommandLine} parsed it */
    public static Settings load(Map<String, Object> commandLine) throws UsageException {
        Config cli = ConfigFactory.parseMap(commandLine, "command line");
        Config file = ConfigFactory.empty();
        Object configFile = commandLine.getOrDefault(Flags.CONFIG_FILE, "");
        if (!configFile.toString().isEmpty()) {
            file = ConfigFiles.load(Path.of(configFile.toString()));
            rejectUnknownKeys(file, configFile.toString());
        }
        Config merged;
        try {
            merged = cli.withFallback(file).withFallback(defaults()).resolve();
        } catch (ConfigException e) {
            throw new UsageException("--config.file " + configFile + ": " + ConfigFiles.oneLine(e.getMessage()));
        }
        ConfigValues c = new ConfigValues(merged);
        return new Settings(HttpSettings.from(c), WebConfig.from(c), ProcessSettings.from(c), GuardSettings.from(c),
                LeakSettings.from(c), LogSettings.from(c));
    }

    /** The same settings with other HTTP settings (tests of the limits). */
    public Settings withHttp(HttpSettings newHttp) {
        return new Settings(newHttp, web, process, guards, leak, log);
    }

    static Config defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
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
}
