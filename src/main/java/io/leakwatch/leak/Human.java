package io.leakwatch.leak;

import java.util.Locale;

/** Numbers as people read them on /leaks and in log lines: binary sizes, short durations. */
final class Human {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private Human() {
    }

    static String bytes(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        double v = Math.abs(value);
        int unit = 0;
        while (v >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        return (value < 0 ? "-" : "") + String.format(Locale.ROOT, unit == 0 ? "%.0f %s" : "%.1f %s", v, UNITS[unit]);
    }

    /** A count (handles) as a whole number; "n/a" when unknown. */
    static String count(double n) {
        return Double.isNaN(n) ? "n/a" : String.format(Locale.ROOT, "%.0f", n);
    }

    static String bytesPerDay(double bytesPerSecond) {
        return Double.isNaN(bytesPerSecond) ? "n/a" : bytes(bytesPerSecond * 86400) + "/day";
    }

    static String countPerDay(double perSecond) {
        return Double.isNaN(perSecond) ? "n/a" : String.format(Locale.ROOT, "%.1f/day", perSecond * 86400);
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "n/a";
        }
        long s = Math.round(seconds);
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return String.format(Locale.ROOT, "%.1f min", s / 60.0);
        }
        if (s < 3 * 86400) {
            return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
        }
        return String.format(Locale.ROOT, "%.1f days", s / 86400.0);
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }
}
