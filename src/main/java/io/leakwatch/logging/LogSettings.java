package io.leakwatch.logging;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;

import java.util.List;

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

    public static final Flag LEVEL = Flag.string("log.level", "info", "Log level: debug, info, warn or error.");
    public static final Flag FORMAT = Flag.string("log.format", "logfmt",
            "Log format: logfmt or json, one event per line, as Prometheus' promslog writes them.");
    public static final Flag FILE = Flag.path("log.file", "stdout",
            "Where logs go: stdout, stderr, eventlog (the Windows event log; the default for the Windows service) or a file path.",
            "stdout", "stderr", "eventlog");
    public static final List<Flag> FLAGS = List.of(LEVEL, FORMAT, FILE);

    public static LogSettings from(ConfigValues c) throws UsageException {
        String level = c.oneOf(LEVEL, "debug", "info", "warn", "error");
        String formatText = c.string(FORMAT).trim();
        LogFormat format = LogFormat.parse(formatText).orElseThrow(() -> new UsageException(FORMAT
                + ": '" + CommandLine.printable(formatText) + "' is not one of logfmt, json"));
        return new LogSettings(level, format, target(c.string(FILE)));
    }

    private static Logging.Target target(String text) throws UsageException {
        return switch (text) {
            case "stdout" -> new Logging.Target.Stdout();
            case "stderr" -> new Logging.Target.Stderr();
            case "eventlog" -> new Logging.Target.EventLog(EVENT_SOURCE);
            case "" -> throw new UsageException(FILE + ": empty; use stdout, stderr, eventlog or a file path");
            default -> {
                if (text.chars().anyMatch(ch -> ch < ' ')) {
                    throw new UsageException(FILE + ": '" + CommandLine.printable(text) + "' is not a file path");
                }
                yield new Logging.Target.File(text);
            }
        };
    }
}
