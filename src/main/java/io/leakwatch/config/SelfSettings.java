package io.leakwatch.config;

/**
 * What the exporter does to and shows of its own process (windows_exporter's global flags).
 *
 * @param priority       --process.priority, as given (an unknown name is reported when applied)
 * @param memoryLimit    --process.memory-limit in bytes; 0 or less = none
 * @param debugEndpoints --debug.enabled: serve the JVM diagnostics under /debug/
 */
public record SelfSettings(String priority, long memoryLimit, boolean debugEndpoints) {

    static SelfSettings from(ConfigValues c) throws UsageException {
        String limit = c.string(Flags.PROCESS_MEMORY_LIMIT).trim();
        long bytes;
        try {
            bytes = Long.parseLong(limit);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + Flags.PROCESS_MEMORY_LIMIT + ": '" + CommandLine.printable(limit)
                    + "' is not a whole number of bytes (0 = no limit)");
        }
        return new SelfSettings(c.string(Flags.PROCESS_PRIORITY).trim(), bytes, c.bool(Flags.DEBUG_ENABLED));
    }
}
