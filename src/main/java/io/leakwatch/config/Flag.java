package io.leakwatch.config;

import java.util.List;

/**
 * One command-line flag. Its name is also its Typesafe Config path, so a config file key
 * {@code collector { process { include = ... } } } and {@code --collector.process.include} are the same setting.
 *
 * @param name         flag name without the leading dashes
 * @param kind         how the value is written
 * @param defaultValue built-in default (String, Boolean or List of String)
 * @param help         one line for --help and the README
 */
public record Flag(String name, Kind kind, Object defaultValue, String help) {
    public enum Kind {
        /** Free text. */
        STRING,
        /** {@code --flag}, {@code --no-flag} or {@code --flag=true|false}. */
        BOOLEAN,
        /** May be given more than once; each use adds one value. */
        REPEATABLE
    }

    public String defaultText() {
        if (defaultValue instanceof List<?> list) {
            return String.join(", ", list.stream().map(Object::toString).toList());
        }
        return String.valueOf(defaultValue);
    }
}
