package io.leakwatch.metrics;

import io.prometheus.client.Collector;

import java.io.IOException;
import java.io.Writer;

/**
 * Writes a sample value exactly as simpleclient's {@link Collector#doubleToGoString} spells it
 * (Java's Double.toString, with +Inf/-Inf), without allocating for the values a scrape is made of:
 * whole numbers below 2^53 (bytes, counts, pids). Other values fall back to the library call.
 */
final class GoDoubleFormat {
    /** Below 2^53 every whole double is an exact long, and Double.toString prints its exact digits. */
    private static final double EXACT_LIMIT = 9007199254740992.0;
    /** Double.toString switches to E notation at 10^7. */
    private static final double PLAIN_LIMIT = 1e7;

    private final char[] digits = new char[24];

    /** Not thread-safe: one per writer. */
    GoDoubleFormat() {
    }

    void write(Writer out, double value) throws IOException {
        double magnitude = Math.abs(value);
        if (magnitude >= EXACT_LIMIT || value != Math.rint(value) || value == 0 && 1 / value < 0) {
            out.write(Collector.doubleToGoString(value)); // fractions, huge values, -0.0, NaN, infinities
            return;
        }
        long whole = (long) magnitude;
        int end = digits.length;
        int start = end;
        do {
            digits[--start] = (char) ('0' + whole % 10);
            whole /= 10;
        } while (whole != 0);
        if (value < 0) {
            out.write('-');
        }
        int count = end - start;
        if (magnitude < PLAIN_LIMIT) {
            out.write(digits, start, count); // "123.0"
            out.write(".0");
            return;
        }
        // "1.2345E9": first digit, '.', the rest without trailing zeros (or "0"), 'E', exponent
        int significantEnd = end;
        while (significantEnd - 1 > start && digits[significantEnd - 1] == '0') {
            significantEnd--;
        }
        out.write(digits[start]);
        out.write('.');
        if (significantEnd - start > 1) {
            out.write(digits, start + 1, significantEnd - start - 1);
        } else {
            out.write('0');
        }
        out.write('E');
        int exponent = count - 1;
        if (exponent >= 10) {
            out.write((char) ('0' + exponent / 10));
        }
        out.write((char) ('0' + exponent % 10));
    }
}
