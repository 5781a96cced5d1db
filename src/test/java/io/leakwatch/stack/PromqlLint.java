package io.leakwatch.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one PromQL mistake a leak rule must not make: rate/irate/increase on a gauge (they treat
 * every drop as a counter reset). windows_exporter's counters all end in _total, its gauges never do.
 */
final class PromqlLint {
    private static final Pattern COUNTER_FUNCTION = Pattern.compile("\\b(rate|irate|increase)\\s*\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
    private static final Pattern GAUGE_FUNCTION = Pattern.compile("\\b(deriv|delta|predict_linear)\\s*\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    private PromqlLint() {
    }

    /** Problems found in one expression, each naming the function and the metric. */
    static List<String> problems(String expr) {
        List<String> found = new ArrayList<>();
        Matcher m = COUNTER_FUNCTION.matcher(expr);
        while (m.find()) {
            if (!m.group(2).endsWith("_total")) {
                found.add(m.group(1) + "() on " + m.group(2) + ", which is not a counter (_total)");
            }
        }
        Matcher g = GAUGE_FUNCTION.matcher(expr);
        while (g.find()) {
            if (g.group(2).endsWith("_total")) {
                found.add(g.group(1) + "() on the counter " + g.group(2) + ": use rate/increase");
            }
        }
        return found;
    }
}
