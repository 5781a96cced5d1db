package io.leakwatch.leak;


/**
 * The urgent rule, for private bytes only: growth that would reach the host's physical memory within one window, seen
 * over the last {@link #SPAN_BUCKETS} complete buckets of one life (an eighth of the window: 3 hours by default). It
 * does not wait for the day of history the other rules need; it is meant for growth nobody can sit out.
 *
 * @param slopePerSecond Theil–Sen slope of the floors over the span
 * @param rises          steps between consecutive floors that rose
 * @param secondsToFull  at that rate, seconds until private bytes reach the host's memory
 * @param enter          every step but one rose, at least the threshold, and full within a window
 * @param stay           for a suspect: most steps rose and full within a window and a quarter
 */
record UrgentGrowth(double slopePerSecond, int rises, double secondsToFull, boolean enter, boolean stay) {
    /** Buckets judged: an eighth of the window. */
    static final int SPAN_BUCKETS = LeakSettings.BUCKETS / 8;
    static final double STAY_HORIZON_SHARE = 1.25;
    /** A step between floors counts as a rise from this share of what the slope predicts for it. */
    static final double MIN_STEP_SHARE = 0.25;

    /**
     * @param own this life's complete buckets, oldest first
     * @return null when the span is not complete (a gap, or a life younger than the span) or the memory is unknown
     */
    static UrgentGrowth of(FloorHistory.Buckets own, double physicalMemoryBytes, double lastPrivateBytes, double windowSeconds,
                           double minGrowthPerSecond) {
        int n = own.size();
        if (n < SPAN_BUCKETS || !(physicalMemoryBytes > 0) || Double.isNaN(lastPrivateBytes)) {
            return null;
        }
        int from = n - SPAN_BUCKETS;
        if (own.ids()[n - 1] - own.ids()[from] != SPAN_BUCKETS - 1) {
            return null;
        }
        double[][] t = new double[1][SPAN_BUCKETS];
        double[][] v = new double[1][SPAN_BUCKETS];
        for (int i = 0; i < SPAN_BUCKETS; i++) {
            double f = own.privateFloors()[from + i];
            if (Double.isNaN(f)) {
                return null;
            }
            t[0][i] = own.midSeconds(from + i);
            v[0][i] = f;
        }
        double slope = TrendStatistics.of(t, v).slope();
        // a step counts as a rise when it rose at least a quarter of what the slope predicts; the last one must
        double step = MIN_STEP_SHARE * slope * own.bucketSeconds();
        int rises = 0;
        boolean lastRose = false;
        for (int i = 1; i < SPAN_BUCKETS; i++) {
            lastRose = slope > 0 && v[0][i] - v[0][i - 1] >= step;
            rises += lastRose ? 1 : 0;
        }
        if (!lastRose) {
            rises = Math.min(rises, SPAN_BUCKETS / 2 - 1);
        }
        double toFull = slope > 0 ? Math.max(0, physicalMemoryBytes - lastPrivateBytes) / slope : Double.POSITIVE_INFINITY;
        boolean enter = slope >= minGrowthPerSecond && rises >= SPAN_BUCKETS - 2 && toFull <= windowSeconds;
        boolean stay = slope > 0 && rises >= SPAN_BUCKETS / 2 && toFull <= STAY_HORIZON_SHARE * windowSeconds;
        return new UrgentGrowth(slope, rises, toFull, enter, stay);
    }
}
