package io.leakwatch.guard;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.leakwatch.common.GoRegex;

import java.util.ArrayList;
import java.util.List;

/**
 * Hides secrets in command lines and process names (windows_exporter #2149). Every capturing
 * group of the regex that took part in a match is replaced by {@code ***}; a regex without
 * capturing groups has its whole match replaced. Write the part that stays visible with
 * non-capturing groups {@code (?:...)}.
 *
 * <p>The regex is RE2 (Go's dialect, RE2/J here): matching takes time linear in the input, so a
 * command line built to make a backtracking engine run for minutes costs what any other does.
 * At most {@link #MAX_INPUT_CHARS} characters are examined; a longer text is cut there first
 * (the backends never read more than that). Immutable and thread-safe.
 */
public final class CmdlineRedactor {
    public static final String MASK = "***";
    /** The most characters one redaction examines: the length backends read a command line up to. */
    public static final int MAX_INPUT_CHARS = 64 * 1024;
    /** Marks a text cut at {@link #MAX_INPUT_CHARS}. */
    public static final String CUT_MARKER = "...";

    private final List<Pattern> patterns; // empty: redaction off
    private final boolean lowerCased;     // the patterns match ASCII-lower-cased text (the default's rules)

    private CmdlineRedactor(List<Pattern> patterns, boolean lowerCased) {
        this.patterns = patterns;
        this.lowerCased = lowerCased;
        redact("warm up --password=x https://u:p@h"); // loads and runs the matcher once at start, not in the first scrape
    }

    /**
     * The default regex runs as its separate rules (same matches, each found from its keyword);
     * any other regex runs as written.
     *
     * @throws IllegalArgumentException one line when the regex is not valid RE2
     */
    public static CmdlineRedactor of(String regex) {
        if (regex == null || regex.isEmpty()) {
            return new CmdlineRedactor(List.of(), false);
        }
        if (regex.equals(DefaultRedaction.REGEX)) {
            return new CmdlineRedactor(DefaultRedaction.RULES.stream().map(CmdlineRedactor::compile).toList(), true);
        }
        return new CmdlineRedactor(List.of(compile(regex)), false);
    }

    private static Pattern compile(String regex) {
        try {
            return GoRegex.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regex: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
    }

    public boolean enabled() {
        return !patterns.isEmpty();
    }

    public String redact(String text) {
        if (patterns.isEmpty() || text.isEmpty()) {
            return text;
        }
        String input = text.length() > MAX_INPUT_CHARS ? text.substring(0, MAX_INPUT_CHARS) + CUT_MARKER : text;
        String matched = lowerCased ? asciiLowerCase(input) : input;
        List<int[]> masks = new ArrayList<>();
        for (Pattern p : patterns) {
            collect(p.matcher(matched), masks);
        }
        if (masks.isEmpty()) {
            return input;
        }
        masks.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(b[1], a[1]));
        StringBuilder out = new StringBuilder(input.length());
        int copied = 0;
        for (int[] m : masks) {
            if (m[0] < copied) {
                copied = Math.max(copied, m[1]); // overlaps a mask already written: widen it
                continue;
            }
            out.append(input, copied, m[0]).append(MASK);
            copied = m[1];
        }
        return out.append(input, copied, input.length()).toString();
    }

    /** The spans to mask: each capturing group that took part in a match, or the whole match without groups. */
    private static void collect(Matcher m, List<int[]> masks) {
        while (m.find()) {
            if (m.end() == m.start()) {
                continue; // an empty match hides nothing
            }
            if (m.groupCount() == 0) {
                masks.add(new int[]{m.start(), m.end()});
                continue;
            }
            int inside = -1; // end of the last group taken from this match: nested groups are masked once
            for (int g = 1; g <= m.groupCount(); g++) {
                int start = m.start(g);
                if (start >= 0 && m.end(g) > start && start >= inside) {
                    masks.add(new int[]{start, m.end(g)});
                    inside = m.end(g);
                }
            }
        }
    }

    /** Lower-cases ASCII letters only, so every index stays where it was. */
    static String asciiLowerCase(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] >= 'A' && c[i] <= 'Z') {
                c[i] = (char) (c[i] + 32);
            }
        }
        return new String(c);
    }
}
