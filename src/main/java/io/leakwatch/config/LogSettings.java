package io.leakwatch.config;

/**
 * How leakwatch logs.
 *
 * @param level  debug, info, warn or error
 * @param format logfmt
 */
public record LogSettings(String level, String format) {

    static LogSettings from(ConfigValues c) throws UsageException {
        return new LogSettings(c.oneOf(Flags.LOG_LEVEL, "debug", "info", "warn", "error"), c.oneOf(Flags.LOG_FORMAT, "logfmt"));
    }
}
