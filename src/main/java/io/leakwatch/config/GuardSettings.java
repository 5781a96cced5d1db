package io.leakwatch.config;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The protections every backend gets.
 *
 * @param maxProcesses       most processes exported per scrape (0 = no limit)
 * @param cmdlineRedactRegex the cmdline redaction regex, already checked to compile (empty = off)
 */
public record GuardSettings(int maxProcesses, String cmdlineRedactRegex) {
    /**
     * Values after keys naming a password, token, secret, API key or credential ({@code key=v},
     * {@code key:v}, {@code --key v}; case-insensitive), and the password of {@code scheme://user:password@host}.
     */
    public static final String DEFAULT_REDACT_REGEX =
            "(?i)(?:[\\w.-]*(?:passw(?:or)?d|pwd|token|secret|api[_-]?key|credentials?)[\\w.-]*(?:=|:|\\s+)(?![-\\s])(\\S+))"
                    + "|(?:[a-z][a-z0-9+.-]*://[^\\s/@:]*:([^\\s/@]+)@)";

    static GuardSettings from(ConfigValues c) throws UsageException {
        int max = c.integer(Flags.PROCESS_MAX_PROCESSES, 0, Integer.MAX_VALUE, "a whole number >= 0 (0 = no limit)");
        String regex = c.string(Flags.PROCESS_CMDLINE_REDACT);
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new UsageException("--" + Flags.PROCESS_CMDLINE_REDACT + ": invalid regex: " + ProcessSettings.regexError(e));
        }
        return new GuardSettings(max, regex);
    }
}
