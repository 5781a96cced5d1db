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
 * a name is selected when it matches include and not exclude. RE2 runs in time linear in the name,
 * whatever the expression.
 *
 * <p>Where Go's rules would only hide a process, leakwatch selects it: no process hides from the
 * include by the bytes of its name. In Go "." does not match a newline, so {@code .+}, the default
 * include, misses a name holding one, and no expression with "." spans one; here "." in the include
 * also matches a newline (as under {@code (?s)}). The default include {@code .+} selects every name,
 * the empty one too, and the empty exclude (the default) excludes nothing, where windows_exporter's
 * {@code ^(?:)$} would exclude an empty name. A non-empty exclude keeps Go's rules, so it never hides
 * more than in windows_exporter. Thread-safe: patterns are immutable, the cache of decisions
 * concurrent and bounded.
 */
public final class ProcessFilter {
    private final Pattern include;
    private final Pattern exclude; // null: none
    /**
     * The answer depends on the name alone and the same names come back every scrape, so it is
     * remembered: RE2/J costs microseconds a name, a lookup far less.
     */
    private final Map<String, Boolean> decisions = new ConcurrentHashMap<>();
    private static final int CACHED_NAMES = 16_384;
    private static final int CACHED_NAME_LENGTH = 1_024;

    private final boolean unfiltered;

    private ProcessFilter(Pattern include, Pattern exclude, boolean unfiltered) {
        this.include = include;
        this.exclude = exclude;
        this.unfiltered = unfiltered;
    }

    /** The default include: every process. */
    public static final String EVERY_NAME = ".+";

    /**
     * @param includeRegex windows_exporter's {@code --collector.process.include} (default {@code .+}: every name)
     * @param excludeRegex {@code --collector.process.exclude} (default empty: excludes nothing)
     * @throws InvalidRegexException naming the flag and RE2's reason when either does not compile
     */
    public static ProcessFilter of(String includeRegex, String excludeRegex) {
        Pattern include = EVERY_NAME.equals(includeRegex) ? Pattern.compile("(?s).*")
                : anchored("collector.process.include", "(?s)", includeRegex);
        Pattern exclude = excludeRegex == null || excludeRegex.isEmpty() ? null
                : anchored("collector.process.exclude", "", excludeRegex);
        boolean everyName = EVERY_NAME.equals(includeRegex) || ".*".equals(includeRegex);
        return new ProcessFilter(include, exclude, everyName && exclude == null);
    }

    /**
     * True when no filter was given: the include is {@code .+} or {@code .*} and there is no exclude,
     * windows_exporter's condition for its warning about "a very large number of metrics".
     */
    public boolean selectsAll() {
        return unfiltered;
    }

    /** Every process, whatever its name holds (newlines, or nothing at all). */
    public static ProcessFilter all() {
        return new ProcessFilter(Pattern.compile("(?s).*"), null, true);
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

    /**
     * Compiles as windows_exporter does, {@code regexp.Compile(fmt.Sprintf("^(?:%s)$", re))}, after
     * flags that apply to the whole expression.
     */
    private static Pattern anchored(String flag, String flags, String regex) {
        try {
            return GoRegex.compile(flags + "^(?:" + regex + ")$");
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
