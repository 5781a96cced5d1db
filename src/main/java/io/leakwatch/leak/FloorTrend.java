package io.leakwatch.leak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The trend of the lower envelope of one resource (private bytes or handles) over the lives of a
 * process judged together (one life unless it restarted, see {@link LeakDetector}).
 * <p>
 * The envelope at scale k is the lowest bucket floor over the last k buckets. A sawtooth whose period
 * fits in k buckets disappears from it, growth that is never given back stays. It is judged at the
 * finest scale of {@link #SCALES} where it is consistent: where it fell back by no more than
 * {@link #CONSISTENT_SHARE} of what it rose (a sawtooth longer than the scale falls back as much as it
 * rises); with no consistent scale, at the coarsest that has enough points.
 *
 * @param points         envelope points judged, over all lives
 * @param scaleBuckets   k: the envelope is the lowest floor over this many buckets
 * @param slopePerSecond Theil–Sen slope of the envelope (median of the slopes between every pair of points of a life)
 * @param intercept      value of the trend line at time 0 for the newest life (median of v - slope * t)
 * @param z              Mann–Kendall score of the rise, corrected for ties and autocorrelation (Hamed–Rao);
 *                       above 3.09 a rise this steady comes from noise less than once in a thousand
 * @param quarterRises   how many of the 3 steps between the medians of the 4 quarters of the history (by age
 *                       of the process, each life's own baseline removed) rose by at least a quarter of what the
 *                       trend predicts: 3 means the rise is spread over the window
 * @param recentSpanSeconds the recent span: a quarter of the window, or two envelope widths if longer
 * @param recentRise     rise of the envelope over the recent span, NaN when too few points
 * @param recentExpected what the trend predicts over that span
 * @param newestFrom     time of the newest life's first envelope point (the trend line is drawn from here...)
 * @param newestTo       ...to its last
 */
record FloorTrend(int points, int scaleBuckets, double slopePerSecond, double intercept, double z, int quarterRises,
                  double recentSpanSeconds, double recentRise, double recentExpected, double newestFrom, double newestTo) {
    static final int[] SCALES = {1, 2, 4, 8, 12};
    static final double CONSISTENT_SHARE = 0.25;
    static final int QUARTERS = 4;
    /** A quarter counts as rising when it rose by at least this share of the trend's prediction. */
    static final double QUARTER_RISE_SHARE = 0.25;
    /** Growth is current while the recent span rose by at least this share of the trend's prediction. */
    static final double RECENT_RISE_SHARE = 0.25;

    /**
     * Complete floors of one resource in one life.
     *
     * @param startSeconds       when the process started (age 0)
     * @param firstSampleSeconds first sample of this life (its first bucket may be partial)
     * @param bucketSeconds      bucket length
     * @param ids                bucket numbers, ascending
     * @param floors             floor per bucket (NaN = unknown)
     */
    record Life(double startSeconds, double firstSampleSeconds, double bucketSeconds, long[] ids, double[] floors) {
    }

    boolean growthIsCurrent() {
        return !Double.isNaN(recentRise) && recentExpected > 0 && recentRise >= RECENT_RISE_SHARE * recentExpected;
    }

    /** The span whose rise tells whether growth is still going on: a quarter of the window, or two envelope widths. */
    private static double recentSpan(double windowSeconds, double bucketSeconds, int scaleBuckets) {
        return Math.max(windowSeconds / QUARTERS, 2.0 * scaleBuckets * bucketSeconds);
    }

    /** The envelope of one life at one scale: only where the k buckets lie inside the life. */
    private record Envelope(double[] times, double[] ages, double[] values) {
    }

    /** @return null when fewer than 3 points at the finest scale */
    static FloorTrend of(List<Life> lives, double windowSeconds) {
        List<Life> usable = new ArrayList<>(lives.size());
        for (Life l : lives) {
            Life clean = withoutUnknown(l);
            if (clean.ids().length > 0) {
                usable.add(clean);
            }
        }
        if (usable.isEmpty()) {
            return null;
        }
        // the finest consistent scale, else the coarsest with enough points: each scale that has enough points
        // replaces the one before, and the loop stops at the first consistent one
        List<Envelope> chosen = null;
        int chosenScale = 0;
        for (int k : SCALES) {
            List<Envelope> env = new ArrayList<>(usable.size());
            double ups = 0;
            double downs = 0;
            int points = 0;
            for (Life l : usable) {
                Envelope e = envelope(l, k);
                if (e.values().length > 0) {
                    env.add(e);
                    points += e.values().length;
                    for (int i = 1; i < e.values().length; i++) {
                        double d = e.values()[i] - e.values()[i - 1];
                        if (d > 0) {
                            ups += d;
                        } else {
                            downs -= d;
                        }
                    }
                }
            }
            if (points < (k == 1 ? 3 : ResourceVerdict.MIN_POINTS)) {
                break; // coarser scales have even fewer points
            }
            double fall = ups > 0 ? Math.min(downs / ups, 1) : 1;
            chosen = env;
            chosenScale = k;
            if (fall <= CONSISTENT_SHARE) {
                break;
            }
        }
        if (chosen == null) {
            return null;
        }
        return analyse(chosen, chosenScale, windowSeconds, usable.get(0).bucketSeconds());
    }

    private static Life withoutUnknown(Life l) {
        int n = 0;
        for (double f : l.floors()) {
            n += Double.isNaN(f) ? 0 : 1;
        }
        if (n == l.floors().length) {
            return l;
        }
        long[] ids = new long[n];
        double[] floors = new double[n];
        int j = 0;
        for (int i = 0; i < l.floors().length; i++) {
            if (!Double.isNaN(l.floors()[i])) {
                ids[j] = l.ids()[i];
                floors[j++] = l.floors()[i];
            }
        }
        return new Life(l.startSeconds(), l.firstSampleSeconds(), l.bucketSeconds(), ids, floors);
    }

    /** Trailing minimum over the buckets (id - k, id]; buckets missing inside the span are skipped. */
    private static Envelope envelope(Life l, int k) {
        long[] ids = l.ids();
        double[] f = l.floors();
        int n = ids.length;
        double[] times = new double[n];
        double[] ages = new double[n];
        double[] values = new double[n];
        int m = 0;
        int from = 0;
        for (int i = 0; i < n; i++) {
            if (ids[i] - k + 1 < ids[0]) {
                continue; // the span starts before this life's first bucket: not a full envelope yet
            }
            while (ids[from] <= ids[i] - k) {
                from++;
            }
            double min = Double.POSITIVE_INFINITY;
            for (int j = from; j <= i; j++) {
                min = Math.min(min, f[j]);
            }
            double mid = (ids[i] + 0.5) * l.bucketSeconds();
            times[m] = mid;
            ages[m] = mid - l.startSeconds();
            values[m] = min;
            m++;
        }
        return new Envelope(Arrays.copyOf(times, m), Arrays.copyOf(ages, m), Arrays.copyOf(values, m));
    }

    private static FloorTrend analyse(List<Envelope> env, int scale, double windowSeconds, double bucketSeconds) {
        double[][] times = new double[env.size()][];
        double[][] values = new double[env.size()][];
        int points = 0;
        for (int b = 0; b < env.size(); b++) {
            times[b] = env.get(b).times();
            values[b] = env.get(b).values();
            points += times[b].length;
        }
        TrendStatistics.Result stats = TrendStatistics.of(times, values);
        double slope = Double.isNaN(stats.slope()) ? 0 : stats.slope();
        double[] intercepts = new double[env.size()];
        for (int b = 0; b < env.size(); b++) {
            double[] offsets = new double[times[b].length];
            for (int i = 0; i < offsets.length; i++) {
                offsets[i] = values[b][i] - slope * times[b][i];
            }
            intercepts[b] = TrendStatistics.median(offsets, offsets.length);
        }
        int quarterRises = quarterRises(env, intercepts, slope);
        double recentSpan = recentSpan(windowSeconds, bucketSeconds, scale);
        double[] recent = recentRise(env, slope, recentSpan);
        Envelope newest = env.get(env.size() - 1);
        return new FloorTrend(points, scale, stats.slope(), intercepts[env.size() - 1], stats.z(), quarterRises, recentSpan,
                recent[0], recent[1], newest.times()[0], newest.times()[newest.times().length - 1]);
    }

    /**
     * Quarters by age: every point's value minus its life's baseline (the life's intercept), sorted by the
     * age of the process, cut into 4 quarters; counts the steps between quarter medians that rose by at least
     * {@link #QUARTER_RISE_SHARE} of slope * (difference of the quarters' median ages).
     */
    private static int quarterRises(List<Envelope> env, double[] intercepts, double slope) {
        int n = 0;
        for (Envelope e : env) {
            n += e.values().length;
        }
        if (n < 2 * QUARTERS || !(slope > 0)) {
            return 0;
        }
        double[][] points = new double[n][];
        int k = 0;
        for (int b = 0; b < env.size(); b++) {
            Envelope e = env.get(b);
            for (int i = 0; i < e.values().length; i++) {
                // the level above the life's baseline at this age: value - (intercept + slope * time) + slope * age
                double level = e.values()[i] - intercepts[b] - slope * (e.times()[i] - e.ages()[i]);
                points[k++] = new double[]{e.ages()[i], level};
            }
        }
        Arrays.sort(points, (a, b) -> Double.compare(a[0], b[0]));
        double[] medianLevel = new double[QUARTERS];
        double[] medianAge = new double[QUARTERS];
        for (int q = 0; q < QUARTERS; q++) {
            int from = q * n / QUARTERS;
            int to = (q + 1) * n / QUARTERS;
            double[] ages = new double[to - from];
            double[] levels = new double[to - from];
            for (int i = from; i < to; i++) {
                ages[i - from] = points[i][0];
                levels[i - from] = points[i][1];
            }
            medianAge[q] = TrendStatistics.median(ages, ages.length);
            medianLevel[q] = TrendStatistics.median(levels, levels.length);
        }
        int rises = 0;
        for (int q = 1; q < QUARTERS; q++) {
            double predicted = slope * (medianAge[q] - medianAge[q - 1]);
            if (medianLevel[q] - medianLevel[q - 1] >= QUARTER_RISE_SHARE * predicted) {
                rises++;
            }
        }
        return rises;
    }

    /**
     * Rise over the recent span, summed over the lives that have at least 3 points in it: median of the last
     * third of those points minus median of the first third; and what the slope predicts between them.
     */
    private static double[] recentRise(List<Envelope> env, double slope, double spanSeconds) {
        double newest = Double.NEGATIVE_INFINITY;
        for (Envelope e : env) {
            newest = Math.max(newest, e.times()[e.times().length - 1]);
        }
        double from = newest - spanSeconds;
        double rise = 0;
        double expected = 0;
        boolean any = false;
        for (Envelope e : env) {
            int start = 0;
            while (start < e.times().length && e.times()[start] < from) {
                start++;
            }
            int m = e.times().length - start;
            if (m < 3) {
                continue;
            }
            int third = Math.max(1, m / 3);
            double firstLevel = TrendStatistics.median(Arrays.copyOfRange(e.values(), start, start + third), third);
            double firstTime = TrendStatistics.median(Arrays.copyOfRange(e.times(), start, start + third), third);
            int lastFrom = e.times().length - third;
            double lastLevel = TrendStatistics.median(Arrays.copyOfRange(e.values(), lastFrom, e.times().length), third);
            double lastTime = TrendStatistics.median(Arrays.copyOfRange(e.times(), lastFrom, e.times().length), third);
            rise += lastLevel - firstLevel;
            expected += slope * (lastTime - firstTime);
            any = true;
        }
        return any ? new double[]{rise, expected} : new double[]{Double.NaN, Double.NaN};
    }

    double valueAt(double timeSeconds) {
        return intercept + slopePerSecond * timeSeconds;
    }

    /** The envelope of a life's floors at this trend's scale, for charts: NaN where not yet a full envelope. */
    static double[] envelopeOf(long[] ids, double[] floors, int scale) {
        double[] out = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            double min = Double.POSITIVE_INFINITY;
            boolean full = ids.length > 0 && ids[i] - scale + 1 >= ids[0];
            for (int j = i; j >= 0 && ids[j] > ids[i] - scale; j--) {
                if (!Double.isNaN(floors[j])) {
                    min = Math.min(min, floors[j]);
                }
            }
            out[i] = full && min != Double.POSITIVE_INFINITY ? min : Double.NaN;
        }
        return out;
    }
}
