package io.leakwatch.config;

import com.google.re2j.PatternSyntaxException;
import io.leakwatch.model.GoRegex;

/**
 * The protections every backend gets.
 *
 * @param maxProcesses       most processes exported per scrape (0 = no limit)
 * @param cmdlineRedactRegex the cmdline redaction regex, already checked to compile (empty = off)
 */
public record GuardSettings(int maxProcesses, String cmdlineRedactRegex) {
    /** The default redaction: see {@link DefaultRedaction}. */
    public static final String DEFAULT_REDACT_REGEX = DefaultRedaction.REGEX;

    static GuardSettings from(ConfigValues c) throws UsageException {
        int max = c.integer(Flags.PROCESS_MAX_PROCESSES, 0, Integer.MAX_VALUE, "a whole number >= 0 (0 = no limit)");
        String regex = c.string(Flags.PROCESS_CMDLINE_REDACT);
        try {
            GoRegex.check(regex); // RE2 (Go's dialect): what the redactor runs, in linear time
        } catch (PatternSyntaxException e) {
            throw new UsageException("--" + Flags.PROCESS_CMDLINE_REDACT + ": invalid regex (RE2 syntax, as Go's regexp): "
                    + e.getDescription() + " in '" + CommandLine.printable(regex) + "'");
        }
        return new GuardSettings(max, regex);
    }
}
