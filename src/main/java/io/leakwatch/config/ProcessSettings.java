package io.leakwatch.config;

import io.leakwatch.model.ProcessFilter;

import java.nio.file.Path;
import java.util.regex.Pattern;
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
        // Compile each as written first, so the error quotes the user's regex, not our anchored wrapper.
        for (String[] flagAndRegex : new String[][]{{Flags.PROCESS_INCLUDE, include}, {Flags.PROCESS_EXCLUDE, exclude}}) {
            try {
                Pattern.compile(flagAndRegex[1]);
            } catch (PatternSyntaxException e) {
                throw new UsageException("--" + flagAndRegex[0] + ": invalid regex: " + regexError(e));
            }
        }
        try {
            return ProcessFilter.of(include, exclude);
        } catch (PatternSyntaxException e) {
            // valid alone but not inside ^(?:...)$, e.g. an unbalanced ")" that closed our group
            throw new UsageException("--" + Flags.PROCESS_INCLUDE + "/--" + Flags.PROCESS_EXCLUDE + ": invalid regex: " + regexError(e));
        }
    }

    static String regexError(PatternSyntaxException e) {
        return e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "")
                + " in '" + CommandLine.printable(e.getPattern()) + "'";
    }
}
