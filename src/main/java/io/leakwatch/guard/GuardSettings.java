package io.leakwatch.guard;

import com.google.re2j.PatternSyntaxException;
import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;
import io.leakwatch.common.GoRegex;

import java.util.List;

/**
 * The protections every backend gets.
 *
 * @param maxProcesses       most processes exported per scrape (0 = no limit)
 * @param cmdlineRedactRegex the cmdline redaction regex, already checked to compile (empty = off)
 * @param cmdlineMaxBytes    most bytes of UTF-8 in a cmdline label, after redaction (0 = no limit)
 */
public record GuardSettings(int maxProcesses, String cmdlineRedactRegex, int cmdlineMaxBytes) {
    /** The value of --collector.process.cmdline-redact that stands for the built-in rules ({@link DefaultRedaction}). */
    public static final String BUILTIN = "builtin";
    /** The default redaction as one regex: what "builtin" stands for. */
    public static final String DEFAULT_REDACT_REGEX = DefaultRedaction.REGEX;

    public static final Flag CMDLINE_REDACT = Flag.regex("collector.process.cmdline-redact", BUILTIN,
            "RE2 regex over names and command lines; what its groups (or the whole match) match becomes ***. "
                    + "builtin = rules for secrets (docs/security.md); empty = off.");
    public static final Flag MAX_PROCESSES = Flag.string("collector.process.max-processes", "10000",
            "Most processes exported per scrape; beyond it the largest by private bytes are kept (0 = no limit).");
    public static final Flag CMDLINE_MAX_LENGTH = Flag.string("collector.process.cmdline-max-length",
            Integer.toString(LabelCapBackend.DEFAULT_CMDLINE_BYTES),
            "Most bytes (UTF-8) of the cmdline label, after redaction; a longer command line is cut at a character and ends "
                    + "with ... (0 = no limit). 2048 is what Mimir accepts by default.");
    public static final List<Flag> FLAGS = List.of(CMDLINE_REDACT, CMDLINE_MAX_LENGTH, MAX_PROCESSES);

    public static GuardSettings from(ConfigValues c) throws UsageException {
        int max = c.integer(MAX_PROCESSES, 0, Integer.MAX_VALUE, "a whole number >= 0 (0 = no limit)");
        int cmdlineMax = c.integer(CMDLINE_MAX_LENGTH, 0, Integer.MAX_VALUE, "a whole number of bytes >= 0 (0 = no limit)");
        if (cmdlineMax > 0 && cmdlineMax <= LabelCapBackend.MARKER.length()) {
            throw new UsageException(CMDLINE_MAX_LENGTH + ": " + cmdlineMax + " bytes leave no room beside the marker "
                    + LabelCapBackend.MARKER + ": give 0 (no limit) or more than " + LabelCapBackend.MARKER.length());
        }
        String given = c.string(CMDLINE_REDACT);
        String regex = given.trim().equals(BUILTIN) ? DEFAULT_REDACT_REGEX : given;
        try {
            GoRegex.check(regex); // RE2 (Go's dialect), within Go's limits: what the redactor runs, in linear time
        } catch (PatternSyntaxException e) {
            throw new UsageException(CMDLINE_REDACT + ": invalid regex (RE2 syntax, as Go's regexp): "
                    + e.getDescription() + " in '" + CommandLine.printable(regex) + "'");
        }
        return new GuardSettings(max, regex, cmdlineMax);
    }
}
