package io.leakwatch.guard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in command lines (windows_exporter #2149). Every capturing group of the regex
 * that took part in a match is replaced by {@code ***}; a regex without capturing groups has its
 * whole match replaced. Write the part that stays visible with non-capturing groups {@code (?:...)}.
 * The default regex is {@code GuardSettings.DEFAULT_REDACT_REGEX}.
 */
public final class CmdlineRedactor {
    public static final String MASK = "***";

    private final Pattern pattern; // null: redaction off

    private CmdlineRedactor(Pattern pattern) {
        this.pattern = pattern;
    }

    /** @throws java.util.regex.PatternSyntaxException when the regex is invalid */
    public static CmdlineRedactor of(String regex) {
        return new CmdlineRedactor(regex == null || regex.isEmpty() ? null : Pattern.compile(regex));
    }

    public boolean enabled() {
        return pattern != null;
    }

    public String redact(String cmdline) {
        if (pattern == null || cmdline.isEmpty()) {
            return cmdline;
        }
        Matcher m = pattern.matcher(cmdline);
        StringBuilder out = null;
        int copied = 0;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue; // an empty match hides nothing
            }
            if (out == null) {
                out = new StringBuilder(cmdline.length());
            }
            if (m.groupCount() == 0) {
                out.append(cmdline, copied, m.start()).append(MASK);
                copied = m.end();
                continue;
            }
            for (int g = 1; g <= m.groupCount(); g++) {
                int start = m.start(g);
                if (start < copied || m.end(g) <= start) {
                    continue; // did not take part, is empty, or lies inside a group already masked
                }
                out.append(cmdline, copied, start).append(MASK);
                copied = m.end(g);
            }
        }
        if (out == null) {
            return cmdline;
        }
        return out.append(cmdline, copied, cmdline.length()).toString();
    }
}
