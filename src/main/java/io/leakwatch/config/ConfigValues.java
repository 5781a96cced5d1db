package io.leakwatch.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads of the merged settings (command line over config file over defaults). Every way a
 * value can be of the wrong type ends in a {@link UsageException} naming the flag, never in a
 * Typesafe Config exception.
 */
final class ConfigValues {
    private final Config config;

    ConfigValues(Config config) {
        this.config = config;
    }

    /** Text; a list (YAML sequence) is joined with commas, as windows_exporter reads comma lists. */
    String string(String key) throws UsageException {
        ConfigValue v = value(key);
        return switch (v.valueType()) {
            case STRING, NUMBER, BOOLEAN -> String.valueOf(v.unwrapped());
            case LIST -> String.join(",", strings(key, v));
            case NULL -> "";
            case OBJECT -> throw new UsageException("--" + key + ": expected a value, found a mapping of keys");
        };
    }

    /** A list of strings; a single string is split at commas. */
    List<String> stringList(String key) throws UsageException {
        ConfigValue v = value(key);
        if (v.valueType() == ConfigValueType.LIST) {
            return strings(key, v);
        }
        return List.of(string(key).split(","));
    }

    boolean bool(String key) throws UsageException {
        ConfigValue v = value(key);
        if (v.valueType() == ConfigValueType.BOOLEAN) {
            return (Boolean) v.unwrapped();
        }
        return parseBoolean(key, string(key));
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
    int integer(String key, int min, int max, String meaning) throws UsageException {
        String text = string(key).trim();
        try {
            long v = Long.parseLong(text);
            if (v >= min && v <= max) {
                return (int) v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--" + key + ": '" + CommandLine.printable(text) + "' is not " + meaning);
    }

    String oneOf(String key, String... allowed) throws UsageException {
        String value = string(key).trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new UsageException("--" + key + ": '" + CommandLine.printable(value) + "' is not one of " + String.join(", ", allowed));
    }

    private ConfigValue value(String key) throws UsageException {
        try {
            return config.getValue(key);
        } catch (ConfigException e) {
            throw new UsageException("--" + key + ": " + ConfigFiles.oneLine(e.getMessage()));
        }
    }

    private static List<String> strings(String key, ConfigValue list) throws UsageException {
        List<?> items = (List<?>) list.unwrapped();
        for (Object item : items) {
            if (item instanceof List<?> || item instanceof Map<?, ?>) {
                throw new UsageException("--" + key + ": expected a list of plain values, found a nested list or mapping");
            }
        }
        return items.stream().map(String::valueOf).toList();
    }
}
