package io.leakwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads of the merged settings (command line over config file over defaults). Every way a
 * value can be of the wrong type ends in a {@link UsageException} naming the flag, never in a
 * Typesafe Config exception. Immutable.
 */
public final class ConfigValues {
    private final Config config;
    private final Config given;
    private final List<String> warnings;

    private ConfigValues(Config config, Config given, List<String> warnings) {
        this.config = config;
        this.given = given;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Merges the command line over {@code --config.file} over {@code overrides} over the flags'
     * defaults, reading the config file the command line names.
     *
     * @param overrides defaults that replace the built-in ones for one way of running (the Windows
     *                  service logs to the event log); the command line and the config file still win
     */
    public static ConfigValues load(CommandLine commandLine, Map<String, Object> overrides, FlagSet flags) throws UsageException {
        Config cli = ConfigFactory.parseMap(commandLine.values(), "command line");
        ConfigFiles.Loaded file = new ConfigFiles.Loaded(ConfigFactory.empty(), List.of(), List.of());
        Object configFile = commandLine.values().getOrDefault(ConfigFiles.FLAG.name(), "");
        if (!configFile.toString().isEmpty()) {
            file = ConfigFiles.load(Path.of(configFile.toString()), flags);
        }
        Config given = cli.withFallback(file.settings());
        Config merged;
        try {
            merged = given.withFallback(ConfigFactory.parseMap(overrides, "defaults")).withFallback(flags.defaults()).resolve();
        } catch (ConfigException e) {
            throw new UsageException(ConfigFiles.FLAG + " " + configFile + ": " + ConfigFiles.oneLine(e.getMessage()));
        }
        List<String> warnings = new ArrayList<>(file.notes());
        if (!commandLine.otherCollectorFlags().isEmpty()) {
            warnings.add("flags of collectors leakwatch does not provide are ignored: "
                    + String.join(", ", commandLine.otherCollectorFlags()));
        }
        if (!file.ignored().isEmpty()) {
            warnings.add("config file keys of collectors leakwatch does not provide are ignored: " + String.join(", ", file.ignored()));
        }
        return new ConfigValues(merged, given, warnings);
    }

    /** What reading the settings found worth a warning (keys and flags that are accepted but ignored). */
    public List<String> warnings() {
        return warnings;
    }

    /** True when the command line or the config file sets it (not only a default). */
    public boolean given(Flag flag) {
        return given.hasPath(flag.name());
    }

    /** Text; a list (YAML sequence) is joined with commas, as windows_exporter reads comma lists. */
    public String string(Flag flag) throws UsageException {
        ConfigValue v = value(flag);
        return switch (v.valueType()) {
            case STRING, NUMBER, BOOLEAN -> String.valueOf(v.unwrapped());
            case LIST -> String.join(",", strings(flag, v));
            case NULL -> "";
            case OBJECT -> throw new UsageException(flag + ": expected a value, found a mapping of keys");
        };
    }

    /** A list of strings; a single string is split at commas. */
    public List<String> stringList(Flag flag) throws UsageException {
        ConfigValue v = value(flag);
        if (v.valueType() == ConfigValueType.LIST) {
            return strings(flag, v);
        }
        return List.of(string(flag).split(","));
    }

    public boolean bool(Flag flag) throws UsageException {
        ConfigValue v = value(flag);
        if (v.valueType() == ConfigValueType.BOOLEAN) {
            return (Boolean) v.unwrapped();
        }
        return parseBoolean(flag.name(), scalar(flag));
    }

    static boolean parseBoolean(String key, String text) throws UsageException {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            // Go's strconv.ParseBool (1, t, true in any of its cases), and yes/no
            case "true", "1", "t", "yes" -> true;
            case "false", "0", "f", "no" -> false;
            default -> throw new UsageException("--" + key + ": '" + CommandLine.printable(text) + "' is not true or false");
        };
    }

    /** A whole number in [min, max]. */
    public int integer(Flag flag, int min, int max, String meaning) throws UsageException {
        String text = scalar(flag).trim();
        try {
            long v = Long.parseLong(text);
            if (v >= min && v <= max) {
                return (int) v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(flag + ": '" + CommandLine.printable(text) + "' is not " + meaning);
    }

    public String oneOf(Flag flag, String... allowed) throws UsageException {
        String value = scalar(flag).trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new UsageException(flag + ": '" + CommandLine.printable(value) + "' is not one of " + String.join(", ", allowed));
    }

    /**
     * A duration with a unit (Typesafe Config syntax: 90s, 5m, 24h, 7d), in seconds; a bare number
     * is refused (it would mean milliseconds).
     */
    public double duration(Flag flag) throws UsageException {
        return duration(flag, scalar(flag));
    }

    private static double duration(Flag flag, String text) throws UsageException {
        String t = text.trim();
        if (t.isEmpty() || t.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.')) {
            throw new UsageException(flag + ": '" + CommandLine.printable(text) + "' needs a unit, e.g. 90s, 5m, 24h, 7d");
        }
        try {
            Duration d = ConfigFactory.parseMap(Map.of("v", t)).getDuration("v");
            return d.toNanos() / 1e9;
        } catch (ConfigException e) {
            throw new UsageException(flag + ": '" + CommandLine.printable(text) + "' is not a duration like 90s, 5m, 24h, 7d");
        }
    }

    /**
     * "amount/duration" as a rate per second: a size (10MiB, 17MB) when {@code bytes}, else a
     * plain count, per a duration (d, 1h, 30m).
     */
    public double rate(Flag flag, boolean bytes) throws UsageException {
        String text = scalar(flag);
        String example = bytes ? "10MiB/d or 1MB/h" : "100/d or 10/h";
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new UsageException(flag + ": '" + CommandLine.printable(text) + "' must be an amount per duration, e.g. " + example);
        }
        String amountText = text.substring(0, slash).trim();
        String per = text.substring(slash + 1).trim();
        double amount;
        try {
            amount = bytes ? ConfigFactory.parseMap(Map.of("v", amountText)).getBytes("v") : Double.parseDouble(amountText);
        } catch (ConfigException | NumberFormatException e) {
            throw new UsageException(flag + ": '" + CommandLine.printable(amountText) + "' is not "
                    + (bytes ? "a size like 10MiB" : "a number") + " (e.g. " + example + ")");
        }
        if (!(amount > 0) || Double.isInfinite(amount)) {
            throw new UsageException(flag + ": '" + CommandLine.printable(text) + "' must be a positive amount per duration, e.g. " + example);
        }
        double seconds = duration(flag, !per.isEmpty() && Character.isDigit(per.charAt(0)) ? per : "1" + per);
        if (seconds <= 0) {
            throw new UsageException(flag + ": '" + CommandLine.printable(text) + "' needs a positive duration, e.g. " + example);
        }
        return amount / seconds;
    }

    /** One value: a list or a mapping where a number, switch or word belongs is the user's mistake. */
    private String scalar(Flag flag) throws UsageException {
        ConfigValue v = value(flag);
        return switch (v.valueType()) {
            case STRING, NUMBER, BOOLEAN -> String.valueOf(v.unwrapped());
            case NULL -> "";
            case LIST -> throw new UsageException(flag + ": expected a single value, found a list");
            case OBJECT -> throw new UsageException(flag + ": expected a value, found a mapping of keys");
        };
    }

    private ConfigValue value(Flag flag) throws UsageException {
        try {
            return config.getValue(flag.name());
        } catch (ConfigException e) {
            throw new UsageException(flag + ": " + ConfigFiles.oneLine(e.getMessage()));
        }
    }

    private static List<String> strings(Flag flag, ConfigValue list) throws UsageException {
        List<?> items = (List<?>) list.unwrapped();
        for (Object item : items) {
            if (item instanceof List<?> || item instanceof Map<?, ?>) {
                throw new UsageException(flag + ": expected a list of plain values, found a nested list or mapping");
            }
        }
        return items.stream().map(String::valueOf).toList();
    }
}
