package io.leakwatch.model;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.leakwatch.common.GoRegex;
import io.leakwatch.common.Printable;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * windows_exporter's selection rule, in its regex dialect: include and exclude are Go RE2
 * expressions (RE2/J here), each compiled as {@code ^(?:RE)$} and matched against the process name;
 * a name is selected when it matches include and not exclude. As in Go, "." does not match a
 * newline unless the expression sets {@code (?s)}, and "$" is the end of the name. RE2 runs in time
 * linear in the name, whatever the expression. Thread-safe: patterns are immutable, the cache of
 * decisions concurrent and bounded.
 */
public final class ProcessFilter {
    private final Pattern include;
    private final Pattern exclude; // null: none (only all())
    /**
     * The answer depends on the name alone and the same names come back every scrape, so it is
     * remembered: RE2/J costs microseconds a name, a lookup far less.
     */
    private final Map<String, Boolean> decisions = new ConcurrentHashMap<>();
    private static final int CACHED_NAMES = 16_384;
    private static final int CACHED_NAME_LENGTH = 1_024;

    private ProcessFilter(Pattern include, Pattern exclude) {
        this.include = include;
        this.exclude = exclude;
    }

    /**
     * @param includeRegex windows_exporter's {@code --collector.process.include} (default {@code .+})
     * @param excludeRegex {@code --collector.process.exclude} (default empty: {@code ^(?:)$} matches only an empty name)
     * @throws InvalidRegexException naming the flag and RE2's reason when either does not compile
     */
    public static ProcessFilter of(String includeRegex, String excludeRegex) {
        return new ProcessFilter(anchored("collector.process.include", includeRegex),
                anchored("collector.process.exclude", excludeRegex == null ? "" : excludeRegex));
    }

    /** Every process, whatever its name holds (newlines, or nothing at all). */
    public static ProcessFilter all() {
        return new ProcessFilter(Pattern.compile("(?s).*"), null);
    }

    public boolean selects(String processName) {
        if (processName.length() > CACHED_NAME_LENGTH) {
            return decide(processName);
        }
        Boolean known = decisions.get(processName);
        if (known != null) {
            return known;
        }
        if (decisions.size() >= CACHED_NAMES) {
            decisions.clear(); // bounded: a churn of distinct names starts the cache over
        }
        boolean selected = decide(processName);
        decisions.put(processName, selected);
        return selected;
    }

    /**
     * Go's MatchString: a match anywhere. Not matches(): the expression is pasted into ^(?:...)$
     * as text, so "a)|(b" becomes "^(?:a)|(b)$", which matches "abc" without spanning it.
     */
    private boolean decide(String processName) {
        return include.matcher(processName).find() && (exclude == null || !exclude.matcher(processName).find());
    }

    /** Compiles as windows_exporter does: {@code regexp.Compile(fmt.Sprintf("^(?:%s)$", re))}. */
    private static Pattern anchored(String flag, String regex) {
        try {
            return GoRegex.compile("^(?:" + regex + ")$");
        } catch (PatternSyntaxException e) {
            throw new InvalidRegexException(flag, regex, e.getDescription());
        }
    }

    /** An expression RE2 refuses; the message is one line naming the flag, the reason and the expression. */
    public static final class InvalidRegexException extends IllegalArgumentException {
        public InvalidRegexException(String flag, String regex, String reason) {
            super("--" + flag + ": invalid regex (Go RE2 syntax): " + reason + " in '" + Printable.of(regex) + "'",
                    null);
        }
    }
}
