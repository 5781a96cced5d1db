package io.leakwatch;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;

import java.util.List;

/**
 * What the exporter does to and shows of its own process (windows_exporter's global flags).
 *
 * @param priority       --process.priority, one of {@link OwnPriority#LEVELS}
 * @param debugEndpoints --debug.enabled: serve the JVM diagnostics under /debug/
 */
public record SelfSettings(String priority, boolean debugEndpoints) {
    public static final Flag PRIORITY = Flag.string("process.priority", "normal",
            "The exporter's own priority: realtime, high, abovenormal, normal, belownormal or low "
                    + "(Windows: priority class; Linux: nice -20, -10, -5, 0, 10, 19).");
    public static final Flag MEMORY_LIMIT = Flag.string("process.memory-limit", "0",
            "Accepted for windows_exporter (bytes, 0 = none) and without effect: a JVM's memory is bounded by its start "
                    + "options (JAVA_OPTS, e.g. -Xmx).");
    public static final Flag DEBUG_ENABLED = Flag.bool("debug.enabled", false,
            "Serve JVM diagnostics under /debug/: thread dump, heap class histogram, Java Flight Recorder recording.");
    public static final List<Flag> FLAGS = List.of(PRIORITY, MEMORY_LIMIT, DEBUG_ENABLED);

    /** @param warnings gets a line for each setting that is accepted but has no effect */
    public static SelfSettings from(ConfigValues c, List<String> warnings) throws UsageException {
        String limit = c.string(MEMORY_LIMIT).trim();
        long bytes;
        try {
            bytes = Long.parseLong(limit);
        } catch (NumberFormatException e) {
            bytes = -1;
        }
        if (bytes < 0) {
            throw new UsageException(MEMORY_LIMIT + ": '" + CommandLine.printable(limit)
                    + "' is not a whole number of bytes >= 0 (0 = no limit)");
        }
        if (bytes > 0) {
            warnings.add(MEMORY_LIMIT + " has no effect: a running JVM cannot lower its own limits; bound leakwatch's "
                    + "memory with JAVA_OPTS (e.g. -Xmx64m) or the service's --service.jvm-option instead");
        }
        String priority = c.string(PRIORITY).trim();
        if (!OwnPriority.LEVELS.containsKey(priority)) {
            // windows_exporter ignores a name it does not know: a typo would go unnoticed
            throw new UsageException(PRIORITY + ": '" + CommandLine.printable(priority)
                    + "' is not one of realtime, high, abovenormal, normal, belownormal, low");
        }
        return new SelfSettings(priority, c.bool(DEBUG_ENABLED));
    }
}
