package io.leakwatch.backend;

import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;
import io.leakwatch.model.ProcessFilter;

import java.nio.file.Path;
import java.util.List;

/**
 * What the process collector reads and from where.
 *
 * @param filter        include/exclude over process names
 * @param cmdline       fill the cmdline label
 * @param iis           Windows: name IIS workers after their app pool
 * @param procfs        Linux: the procfs mount point
 * @param kernelThreads Linux: export kernel threads too
 */
public record ProcessSettings(ProcessFilter filter, boolean cmdline, boolean iis, Path procfs, boolean kernelThreads) {
    /** windows_exporter's warning, word for word, when no filter is given (logged once at start). */
    public static final String NO_FILTER_WARNING = "No filters specified for process collector. This will generate a very large number of metrics!";

    public static final Flag INCLUDE = Flag.regex("collector.process.include", ".+",
            "Regex of process names to include (Go RE2 syntax, full match).");
    public static final Flag EXCLUDE = Flag.regex("collector.process.exclude", "",
            "Regex of process names to exclude (Go RE2 syntax, full match).");
    public static final Flag CMDLINE = Flag.bool("collector.process.cmdline", true,
            "Fill the cmdline label of windows_process_info (command lines can hold secrets).");
    public static final Flag IIS = Flag.bool("collector.process.iis", false,
            "Windows only: append the IIS app pool name to w3wp processes.");
    public static final Flag COUNTER_VERSION = Flag.string("collector.process.counter-version", "1",
            "Accepted for windows_exporter (0-255) and without effect: leakwatch reads no performance counters.");
    public static final Flag PROCFS = Flag.path("path.procfs", "/proc",
            "Linux only: procfs mount point (e.g. /host/proc in a container).");
    public static final Flag KERNEL_THREADS = Flag.bool("collector.process.kernel-threads", false,
            "Linux only: export kernel threads too; by default they are left out (they have no memory of their own).");
    public static final List<Flag> FLAGS = List.of(INCLUDE, EXCLUDE, CMDLINE, IIS, COUNTER_VERSION, PROCFS, KERNEL_THREADS);

    /** @param warnings gets a line for each setting that is accepted but has no effect */
    public static ProcessSettings from(ConfigValues c, List<String> warnings) throws UsageException {
        c.integer(COUNTER_VERSION, 0, 255, "a number from 0 to 255");
        if (c.given(COUNTER_VERSION)) {
            warnings.add(COUNTER_VERSION + " has no effect: leakwatch reads no performance counters "
                    + "(one NtQuerySystemInformation call on Windows, /proc on Linux)");
        }
        return new ProcessSettings(filter(c.string(INCLUDE), c.string(EXCLUDE)), c.bool(CMDLINE), c.bool(IIS),
                Path.of(c.string(PROCFS)), c.bool(KERNEL_THREADS));
    }

    private static ProcessFilter filter(String include, String exclude) throws UsageException {
        try {
            return ProcessFilter.of(include, exclude);
        } catch (ProcessFilter.InvalidRegexException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
