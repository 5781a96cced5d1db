package io.leakwatch.config;

import io.leakwatch.model.ProcessFilter;

import java.nio.file.Path;
import java.util.regex.PatternSyntaxException;

/**
 * What the process collector reads and from where.
 *
 * @param filter  include/exclude over process names
 * @param cmdline fill the cmdline label
 * @param iis     Windows: name IIS workers after their app pool
 * @param procfs  Linux: the procfs mount point
 */
public record ProcessSettings(ProcessFilter filter, boolean cmdline, boolean iis, Path procfs) {

    static ProcessSettings from(ConfigValues c) throws UsageException {
        return new ProcessSettings(
                filter(c.string(Flags.PROCESS_INCLUDE), c.string(Flags.PROCESS_EXCLUDE)),
                c.bool(Flags.PROCESS_CMDLINE),
                c.bool(Flags.PROCESS_IIS),
                Path.of(c.string(Flags.PROCFS)));
    }

    private static ProcessFilter filter(String include, String exclude) throws UsageException {
        try {
            return ProcessFilter.of(include, exclude);
        } catch (ProcessFilter.InvalidRegexException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static String regexError(PatternSyntaxException e) {
        return e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "")
                + " in '" + CommandLine.printable(e.getPattern()) + "'";
    }
}
