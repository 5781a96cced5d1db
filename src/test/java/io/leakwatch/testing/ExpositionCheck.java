package io.leakwatch.testing;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A fast structural check of text format 0.0.4 for every body of a long run (promtool, the
 * reference, runs on a sample): names and labels well formed, values numbers, every series
 * once, HELP and TYPE once per family and before its samples.
 */
public final class ExpositionCheck {
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]++|\\\\[\\\\\"n])*+\",?)*+\\})? "
                    + "(?:-?[0-9][0-9.eE+-]*|NaN|\\+Inf|-Inf)(?: -?[0-9]+)?");

    private ExpositionCheck() {
    }

    public static void assertWellFormed(byte[] body) {
        assertWellFormed(new String(body, StandardCharsets.UTF_8));
    }

    /** @throws AssertionError naming the first problem */
    public static void assertWellFormed(String body) {
        Set<String> series = new HashSet<>();
        Set<String> help = new HashSet<>();
        Set<String> type = new HashSet<>();
        int lineNo = 0;
        for (String line : body.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String name = line.substring(7).split(" ", 2)[0];
                if (!help.add(name)) {
                    throw new AssertionError("HELP twice for " + name + " at line " + lineNo);
                }
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String name = line.substring(7).split(" ", 2)[0];
                if (!type.add(name)) {
                    throw new AssertionError("TYPE twice for " + name + " at line " + lineNo);
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            if (!SAMPLE.matcher(line).matches()) {
                throw new AssertionError("malformed sample at line " + lineNo + ": " + line);
            }
            String key = line.substring(0, line.lastIndexOf(' '));
            if (!series.add(key)) {
                throw new AssertionError("duplicate series at line " + lineNo + ": " + key);
            }
        }
        if (!body.endsWith("\n")) {
            throw new AssertionError("body does not end with a newline");
        }
    }
}
