package io.leakwatch.leak;

import java.util.function.DoubleFunction;

/**
 * The verdict on one resource (private bytes or handles) of one process.
 *
 * @param trend   robust trend of the floors; null with fewer than 3 floors
 * @param outcome how far the series got towards a suspect verdict
 * @param why     one sentence a person can check against the chart
 */
record ResourceVerdict(FloorTrend trend, Outcome outcome, String why) {
    /** Where the series stopped on the way to a suspect verdict. */
    enum Outcome {
        /** Too few floors or too little of the window covered to say anything. */
        LEARNING,
        /** Flat, falling, or growing slower than the threshold. */
        STABLE,
        /** Fast enough, but not a steady rise: noise, sawtooth, step or warm-up. */
        NOT_STEADY,
        /** Grows at least the threshold, steadily, over a covered window. */
        SUSPECT
    }

    /** Fewer floors than this give no verdict (two per quarter). */
    static final int MIN_POINTS = 2 * FloorTrend.QUARTERS;
    /** Share of the window the history must cover. */
    static final double MIN_COVERAGE = 0.5;
    /** Share of floor pairs that must rise. */
    static final double MIN_CONCORDANCE = 0.8;

    boolean suspect() {
        return outcome == Outcome.SUSPECT;
    }

    double slopePerSecond() {
        return trend == null ? Double.NaN : trend.slopePerSecond();
    }

    /**
     * @param perDay formats a rate per second as a rate per day, in the resource's unit
     */
    static ResourceVerdict judge(FloorTrend trend, double coverageSeconds, double windowSeconds, double minGrowthPerSecond,
                                 DoubleFunction<String> perDay) {
        int points = trend == null ? 0 : trend.points();
        if (points < MIN_POINTS) {
            return new ResourceVerdict(trend, Outcome.LEARNING, "only " + points + " bucket floors so far; " + MIN_POINTS + " needed");
        }
        String rate = "floor grows " + perDay.apply(trend.slopePerSecond());
        if (coverageSeconds < MIN_COVERAGE * windowSeconds) {
            return new ResourceVerdict(trend, Outcome.LEARNING, rate + ", but the history covers only " + Human.duration(coverageSeconds)
                    + " of the " + Human.duration(MIN_COVERAGE * windowSeconds) + " needed (half the window)");
        }
        if (trend.slopePerSecond() < minGrowthPerSecond) {
            return new ResourceVerdict(trend, Outcome.STABLE, rate + ", below the threshold of " + perDay.apply(minGrowthPerSecond));
        }
        if (trend.concordance() < MIN_CONCORDANCE) {
            return new ResourceVerdict(trend, Outcome.NOT_STEADY, rate + ", but the floor was higher later in only "
                    + Human.percent(trend.concordance()) + " of bucket pairs (" + Human.percent(MIN_CONCORDANCE)
                    + " needed): noise or a sawtooth, not a steady rise");
        }
        if (trend.quarterRises() < FloorTrend.QUARTERS - 1) {
            return new ResourceVerdict(trend, Outcome.NOT_STEADY, rate + ", but only " + trend.quarterRises() + " of "
                    + (FloorTrend.QUARTERS - 1) + " quarter-to-quarter steps rose: a one-time step or a warm-up that levelled off");
        }
        return new ResourceVerdict(trend, Outcome.SUSPECT, rate + " (threshold " + perDay.apply(minGrowthPerSecond)
                + "), higher later in " + Human.percent(trend.concordance()) + " of bucket pairs, rising in every quarter of "
                + Human.duration(coverageSeconds) + " of history");
    }
}
