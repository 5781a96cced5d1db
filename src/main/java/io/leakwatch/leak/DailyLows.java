package io.leakwatch.leak;

import java.util.function.DoubleFunction;

/**
 * The rule for processes whose memory follows the day: the lowest floor of each of the last three windows (the
 * "daily lows" at the default 24 h window), from the coarse floors of one life. A daily or weekly load rises and falls
 * back every day, so its daily low stays put; memory that is never given back raises every daily low. A window's low
 * counts when at least three quarters of the window has samples. The rule is for memory that follows the day: the floors
 * of each of the last two windows must go up and down at the same hours as the window before (a correlation of at
 * least {@link #MIN_CYCLE_CORRELATION}), which one or two steps of a heap, noise, or a flat process do not. And the rise
 * must show at the same hours too, in at least {@link #MIN_RISING_HALVES} of the four half windows of the last two
 * windows, so growth that stopped is not growth day after day.
 *
 * @param lows           the lows of the three windows, oldest first
 * @param slopePerSecond growth of the lows: (newest - oldest) / two windows
 * @param sameHour       per half window of the last two windows, the median rise from the same hours one window earlier
 * @param enter          the lows grow at least the threshold, each step rose at least half of that, so did the same hours
 *                       in enough half windows, and the floors follow the day
 * @param stay           for a suspect it made: the lows grow 80% of the threshold, and each step a quarter of that (the
 *                       same hours are not asked again: a quiet weekend day is not a day without growth)
 */
record DailyLows(double[] lows, double slopePerSecond, double[] sameHour, boolean enter, boolean stay) {
    /** Windows compared. */
    static final int WINDOWS = 3;
    /** Share of a window's coarse buckets that must have samples for its low to count. */
    static final double MIN_COVERED = 0.75;
    static final double STEP_SHARE_ENTER = 0.5;
    static final double STEP_SHARE_STAY = 0.25;
    static final double SLOPE_STAY_SHARE = 0.8;
    /** Half windows of the last two windows whose same hours must have risen (a heap step shows in one or two). */
    static final int MIN_RISING_HALVES = 2;

    /**
     * @param coarse complete coarse floors of one life (an eighth of the window each), oldest first
     * @return null when the life has not yet three windows of samples
     */
    static DailyLows of(FloorHistory.Buckets coarse, double[] floors, double windowSeconds, double minGrowthPerSecond) {
        if (coarse.size() == 0) {
            return null;
        }
        int per = FloorHistory.COARSE_PER_WINDOW;
        long newest = coarse.ids()[coarse.size() - 1];
        double[] lows = new double[WINDOWS];
        for (int w = 0; w < WINDOWS; w++) {
            long to = newest - (long) per * (WINDOWS - 1 - w);
            long from = to - per + 1;
            int covered = 0;
            double low = Double.POSITIVE_INFINITY;
            for (int i = 0; i < coarse.size(); i++) {
                long id = coarse.ids()[i];
                if (id >= from && id <= to && !Double.isNaN(floors[i])) {
                    covered++;
                    low = Math.min(low, floors[i]);
                }
            }
            if (covered < MIN_COVERED * per) {
                return null;
            }
            lows[w] = low;
        }
        double slope = (lows[WINDOWS - 1] - lows[0]) / ((WINDOWS - 1) * windowSeconds);
        double perWindow = slope * windowSeconds;
        boolean stepsEnter = true;
        boolean stepsStay = true;
        for (int w = 1; w < WINDOWS; w++) {
            double step = lows[w] - lows[w - 1];
            stepsEnter &= step >= STEP_SHARE_ENTER * perWindow;
            stepsStay &= step >= STEP_SHARE_STAY * perWindow;
        }
        double[] sameHour = sameHour(coarse, floors, newest);
        if (sameHour == null) {
            stepsEnter = false;
            sameHour = new double[0];
        }
        int rising = 0;
        for (double d : sameHour) {
            rising += d >= STEP_SHARE_ENTER * perWindow ? 1 : 0;
        }
        boolean cycle = dailyCycle(coarse, floors, newest);
        stepsEnter &= rising >= MIN_RISING_HALVES && cycle;
        boolean enter = slope >= minGrowthPerSecond && stepsEnter;
        boolean stay = slope >= SLOPE_STAY_SHARE * minGrowthPerSecond && stepsStay;
        return new DailyLows(lows, slope, sameHour, enter, stay);
    }

    /**
     * How much the lowest floor of the last window is above the lowest floor of the window before it, for one life: what
     * memory it no longer gives back since. The last window from the fine floors (current to the newest bucket), the window
     * before from the coarse ones. NaN when the last window is not half covered or the window before has no
     * floor.
     */
    static double lastRise(FloorHistory.Buckets fine, double[] fineFloors, FloorHistory.Buckets coarse, double[] coarseFloors,
                           double windowSeconds) {
        if (fine.size() == 0 || coarse.size() == 0) {
            return Double.NaN;
        }
        double end = (fine.ids()[fine.size() - 1] + 1) * fine.bucketSeconds();
        double last = Double.POSITIVE_INFINITY;
        int covered = 0;
        for (int i = 0; i < fine.size(); i++) {
            if (!Double.isNaN(fineFloors[i]) && fine.ids()[i] * fine.bucketSeconds() >= end - windowSeconds) {
                covered++;
                last = Math.min(last, fineFloors[i]);
            }
        }
        double before = Double.POSITIVE_INFINITY;
        for (int i = 0; i < coarse.size(); i++) {
            double from = coarse.ids()[i] * coarse.bucketSeconds();
            if (!Double.isNaN(coarseFloors[i]) && from >= end - 2 * windowSeconds && from + coarse.bucketSeconds() <= end - windowSeconds) {
                before = Math.min(before, coarseFloors[i]);
            }
        }
        int perWindow = (int) Math.round(windowSeconds / fine.bucketSeconds());
        return covered >= ResourceVerdict.MIN_COVERAGE * perWindow && before != Double.POSITIVE_INFINITY ? last - before
                : Double.NaN;
    }

    /** Minimum correlation of a window's floors with the same hours of the window before, for a daily cycle to count. */
    static final double MIN_CYCLE_CORRELATION = 0.8;

    /**
     * Whether the floors follow the day: each of the last two windows goes up and down at the same hours as the window
     * before it (the correlation of the same-hour floors, each window's mean removed). One or two steps of a heap, or
     * noise, do not repeat at the same hours.
     */
    static boolean dailyCycle(FloorHistory.Buckets coarse, double[] floors, long newest) {
        int per = FloorHistory.COARSE_PER_WINDOW;
        ById byId = new ById(coarse, floors);
        for (int pair = 0; pair < WINDOWS - 1; pair++) {
            long to = newest - (long) per * pair;
            double[] a = new double[per];
            double[] b = new double[per];
            int n = 0;
            for (long id = to - per + 1; id <= to; id++) {
                double x = byId.get(id);
                double y = byId.get(id - per);
                if (!Double.isNaN(x) && !Double.isNaN(y)) {
                    a[n] = x;
                    b[n++] = y;
                }
            }
            if (n < MIN_COVERED * per || !(correlation(a, b, n) >= MIN_CYCLE_CORRELATION)) {
                return false;
            }
        }
        return true;
    }

    private static double correlation(double[] a, double[] b, int n) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i] / n;
            mb += b[i] / n;
        }
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
    }

    /** Per half window of the last two windows: the median of floor minus the floor one window earlier; null if too few. */
    private static double[] sameHour(FloorHistory.Buckets coarse, double[] floors, long newest) {
        int per = FloorHistory.COARSE_PER_WINDOW;
        ById byId = new ById(coarse, floors);
        int half = per / 2;
        double[] out = new double[4];
        for (int g = 0; g < 4; g++) {
            long from = newest - 2L * per + 1 + (long) g * half;
            int length = half;
            double[] d = new double[length];
            int n = 0;
            for (long id = from; id < from + length; id++) {
                double now = byId.get(id);
                double before = byId.get(id - per);
                if (!Double.isNaN(now) && !Double.isNaN(before)) {
                    d[n++] = now - before;
                }
            }
            if (n < (length + 1) / 2) {
                return null;
            }
            out[g] = TrendStatistics.median(d, n);
        }
        return out;
    }

    /** "its lowest value of each of the last 3 windows rose: 40.0 MiB, then 57.0 MiB, then 74.1 MiB (17.0 MiB/day)". */
    String describe(double windowSeconds, DoubleFunction<String> value, DoubleFunction<String> perDay) {
        StringBuilder b = new StringBuilder("its lowest value in each of the last ").append(WINDOWS).append(" periods of ")
                .append(Human.duration(windowSeconds)).append(" went ");
        for (int i = 0; i < lows.length; i++) {
            b.append(i == 0 ? "" : i == lows.length - 1 ? ", then " : ", ").append(value.apply(lows[i]));
        }
        return b.append(" (").append(perDay.apply(slopePerSecond)).append(')').toString();
    }

    /** Floors by bucket number (NaN where none): the coarse ids of a life are a short, ascending run. */
    private static final class ById {
        private final long first;
        private final double[] values;

        ById(FloorHistory.Buckets coarse, double[] floors) {
            int n = coarse.size();
            first = n == 0 ? 0 : coarse.ids()[0];
            values = new double[n == 0 ? 0 : (int) (coarse.ids()[n - 1] - first + 1)];
            java.util.Arrays.fill(values, Double.NaN);
            for (int i = 0; i < n; i++) {
                values[(int) (coarse.ids()[i] - first)] = floors[i];
            }
        }

        double get(long id) {
            long i = id - first;
            return i >= 0 && i < values.length ? values[(int) i] : Double.NaN;
        }
    }
}
