package io.leakwatch.config;

import io.leakwatch.common.LogFormat;
import io.leakwatch.common.Logging;

/**
 * How leakwatch logs.
 *
 * @param level  debug, info, warn or error
 * @param format logfmt or json
 * @param target stdout, stderr, the Windows event log or a file
 */
public record LogSettings(String level, LogFormat format, Logging.Target target) {
    /** The event source leakwatch writes to in the Windows event log. */
    public static final String EVENT_SOURCE = "leakwatch";

    static LogSettings from(ConfigValues c) throws UsageException {
        String level = c.oneOf(Flags.LOG_LEVEL, "debug", "info", "warn", "error");
        String formatText = c.string(Flags.LOG_FORMAT).trim();
        LogFormat format = LogFormat.parse(formatText).orElseThrow(() -> new UsageException("--" + Flags.LOG_FORMAT
                + ": '" + CommandLine.printable(formatText) + "' is not one of logfmt, json"));
        return new LogSettings(level, format, target(c.string(Flags.LOG_FILE)));
    }

    private static Logging.Target target(String text) throws UsageException {
        return switch (text) {
            case "stdout" -> new Logging.Target.Stdout();
            case "stderr" -> new Logging.Target.Stderr();
            case "eventlog" -> new Logging.Target.EventLog(EVENT_SOURCE);
            case "" -> throw new UsageException("--" + Flags.LOG_FILE + ": empty; use stdout, stderr, eventlog or a file path");
            default -> {
                if (text.chars().anyMatch(ch -> ch < ' ')) {
                    throw new UsageException("--" + Flags.LOG_FILE + ": '" + CommandLine.printable(text) + "' is not a file path");
                }
                yield new Logging.Target.File(text);
            }
        };
    }
}
