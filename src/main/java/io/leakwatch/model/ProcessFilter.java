package io.leakwatch.model;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * windows_exporter's selection rule: include and exclude are full, case-sensitive matches
 * ({@code ^(?:RE)$}) against the process name, and exclude wins. Unlike Go's regexp, "." also
 * matches a newline, so a process cannot hide from the default ".+" by renaming itself "a\nb".
 */
public final class ProcessFilter {
    private final Pattern include;
    private final Pattern exclude; // null: exclude nothing

    private ProcessFilter(Pattern include, Pattern exclude) {
        this.include = include;
        this.exclude = exclude;
    }

    /** @throws PatternSyntaxException if either expression is not a valid regex */
    public static ProcessFilter of(String includeRegex, String excludeRegex) {
        Pattern include = Pattern.compile("^(?:" + includeRegex + ")$", Pattern.DOTALL);
        Pattern exclude = excludeRegex == null || excludeRegex.isEmpty()
                ? null : Pattern.compile("^(?:" + excludeRegex + ")$", Pattern.DOTALL);
        return new ProcessFilter(include, exclude);
    }

    public static ProcessFilter all() {
        return of(".+", "");
    }

    public boolean selects(String processName) {
        if (exclude != null && exclude.matcher(processName).matches()) {
            return false;
        }
        return include.matcher(processName).matches();
    }
}
