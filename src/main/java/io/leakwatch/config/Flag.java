package io.leakwatch.config;

import java.util.List;

/**
 * One command-line flag. Its name is also its Typesafe Config path, so a config file key
 * {@code collector { process { include = ... } } } and {@code --collector.process.include} are the same setting.
 * Each feature declares its own flags beside its settings record; {@link FlagSet} puts them together.
 *
 * @param name         flag name without the leading dashes
 * @param kind         how the value is written
 * @param defaultValue built-in default (String, Boolean or List of String)
 * @param help         a line or two for --help and docs/flags.md
 * @param words        for a {@link Kind#PATH}: the values that are not file names ({@code stdout},
 *                     {@code auto}); the empty value never is one
 */
public record Flag(String name, Kind kind, Object defaultValue, String help, List<String> words) {
    public enum Kind {
        /** Free text. */
        STRING,
        /** A file or folder: relative to the working directory (a service install makes it absolute). */
        PATH,
        /** A regular expression (RE2, Go's dialect). */
        REGEX,
        /** {@code --flag}, {@code --no-flag} or {@code --flag=true|false}. */
        BOOLEAN,
        /** May be given more than once; each use adds one value. */
        REPEATABLE
    }

    public Flag {
        words = List.copyOf(words);
    }

    public Flag(String name, Kind kind, Object defaultValue, String help) {
        this(name, kind, defaultValue, help, List.of());
    }

    /** True when {@code value} of this flag names a file: a path flag's value, not empty and not one of its words. */
    public boolean namesFile(String value) {
        String v = value.trim();
        return kind == Kind.PATH && !v.isEmpty() && !words.contains(v);
    }

    public static Flag string(String name, String defaultValue, String help) {
        return new Flag(name, Kind.STRING, defaultValue, help);
    }

    /** @param words the values that are not file names ({@code stdout}, {@code auto}) */
    public static Flag path(String name, String defaultValue, String help, String... words) {
        return new Flag(name, Kind.PATH, defaultValue, help, List.of(words));
    }

    public static Flag regex(String name, String defaultValue, String help) {
        return new Flag(name, Kind.REGEX, defaultValue, help);
    }

    public static Flag bool(String name, boolean defaultValue, String help) {
        return new Flag(name, Kind.BOOLEAN, defaultValue, help);
    }

    /** "--name", as messages name a flag. */
    @Override
    public String toString() {
        return "--" + name;
    }

    public String defaultText() {
        if (defaultValue instanceof List<?> list) {
            return String.join(", ", list.stream().map(Object::toString).toList());
        }
        return String.valueOf(defaultValue);
    }
}
