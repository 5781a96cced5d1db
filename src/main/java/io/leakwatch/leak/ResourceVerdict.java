package io.leakwatch.leak;

import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * The verdict on one resource (private bytes or handles) of one process.
 *
 * @param trend   trend of the lower envelope; null with fewer than 3 floors
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
        /** It grew steadily, but the growth stopped (a cache reached its size, a warm-up ended). */
        LEVELLED_OFF,
        /** Meets every condition, for fewer than {@link #CONFIRMATIONS} bucket ends in a row so far. */
        CONFIRMING,
        /** Grows at least the threshold, steadily and still now, over a covered window. */
        SUSPECT;

        String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Fewer envelope points than this give no verdict (two per quarter). */
    static final int MIN_POINTS = 2 * FloorTrend.QUARTERS;
    /** Share of the window the history must cover. */
    static final double MIN_COVERAGE = 0.5;
    /** Mann–Kendall score to become a suspect: one-sided p < 0.001. */
    static final double Z_ENTER = 4.5;
    /** Hysteresis: a suspect stays one while the score stays above this (p < 0.01)... */
    static final double Z_STAY = 2.33;
    /** ...and its growth above this share of the threshold... */
    static final double SLOPE_STAY_SHARE = 0.8;
    /** ...and at least this many quarter-to-quarter steps rise (3 to become one). */
    static final int QUARTERS_STAY = 2;
    /** Bucket ends in a row that must meet every condition before a suspect is named: a passing excursion is not one. */
    static final int CONFIRMATIONS = 4;

    boolean suspect() {
        return outcome == Outcome.SUSPECT;
    }

    double slopePerSecond() {
        return trend == null ? Double.NaN : trend.slopePerSecond();
    }

    /** True while the envelope is rising steadily now (drives the time-to-exhaustion projection). */
    boolean growing() {
        return trend != null && trend.slopePerSecond() > 0 && trend.z() >= Z_STAY && trend.growthIsCurrent()
                && outcome != Outcome.LEARNING;
    }

    /**
     * What the previous judgements of this resource left behind.
     *
     * @param wasSuspect the previous verdict was a suspect: the looser "stay" thresholds apply
     * @param streak     how many judgements in a row met every condition to become a suspect
     */
    record History(boolean wasSuspect, int streak) {
        static final History NONE = new History(false, 0);

        History next(ResourceVerdict v) {
            return new History(v.suspect(), v.outcome == Outcome.CONFIRMING || v.suspect() && !wasSuspect ? streak + 1 : 0);
        }
    }

    /**
     * @param perDay formats a rate per second as a rate per day, in the resource's unit
     */
    static ResourceVerdict judge(FloorTrend trend, double coverageSeconds, double windowSeconds, double minGrowthPerSecond,
                                 History history, DoubleFunction<String> perDay) {
        int points = trend == null ? 0 : trend.points();
        if (points < MIN_POINTS) {
            return new ResourceVerdict(trend, Outcome.LEARNING, "only " + points + " envelope points so far; " + MIN_POINTS + " needed");
        }
        String rate = "lower envelope grows " + perDay.apply(trend.slopePerSecond());
        if (coverageSeconds < MIN_COVERAGE * windowSeconds) {
            return new ResourceVerdict(trend, Outcome.LEARNING, rate + ", but the history covers only " + Human.duration(coverageSeconds)
                    + " of the " + Human.duration(MIN_COVERAGE * windowSeconds) + " needed (half the window)");
        }
        String odds = "the chance that noise alone rises this steadily is " + chance(trend.z());
        String suspect = rate + " (threshold " + perDay.apply(minGrowthPerSecond) + "), " + odds
                + ", rising in every quarter and still rising over " + Human.duration(coverageSeconds) + " of history";
        if (history.wasSuspect() && trend.slopePerSecond() >= SLOPE_STAY_SHARE * minGrowthPerSecond && trend.z() >= Z_STAY
                && trend.quarterRises() >= QUARTERS_STAY && trend.growthIsCurrent()) {
            return new ResourceVerdict(trend, Outcome.SUSPECT, suspect);
        }
        if (trend.slopePerSecond() < minGrowthPerSecond) {
            return new ResourceVerdict(trend, Outcome.STABLE, rate + ", below the threshold of " + perDay.apply(minGrowthPerSecond));
        }
        if (trend.z() < Z_ENTER) {
            return new ResourceVerdict(trend, Outcome.NOT_STEADY, rate + ", but " + odds + " (" + chance(Z_ENTER)
                    + " or less needed): noise or a sawtooth, not a steady rise");
        }
        if (trend.quarterRises() < FloorTrend.QUARTERS - 1) {
            return new ResourceVerdict(trend, Outcome.NOT_STEADY, rate + ", but only " + trend.quarterRises() + " of "
                    + (FloorTrend.QUARTERS - 1) + " quarter-to-quarter steps rose: a one-time step or a warm-up");
        }
        if (!trend.growthIsCurrent()) {
            return new ResourceVerdict(trend, Outcome.LEVELLED_OFF, rate + " over the window, but the last "
                    + Human.duration(trend.recentSpanSeconds())
                    + " rose only " + perDayShare(trend) + " of that: it has levelled off");
        }
        if (history.streak() + 1 < CONFIRMATIONS && !history.wasSuspect()) {
            return new ResourceVerdict(trend, Outcome.CONFIRMING, suspect + "; a suspect if this still holds after "
                    + (CONFIRMATIONS - 1 - history.streak()) + " more buckets");
        }
        return new ResourceVerdict(trend, Outcome.SUSPECT, suspect);
    }

    private static String perDayShare(FloorTrend t) {
        return Human.percent(Math.max(0, t.recentRise()) / t.recentExpected());
    }

    /** A one-sided p-value in words: "1 in 300,000", "1 in 700", "3%". */
    static String chance(double z) {
        double p = TrendStatistics.upperTail(z);
        if (p < 1e-9) {
            return "below 1 in a billion";
        }
        if (p < 0.01) {
            double odds = 1 / p;
            double unit = Math.pow(10, Math.floor(Math.log10(odds)) - 1); // two significant digits
            return String.format(Locale.ROOT, "1 in %,.0f", Math.round(odds / unit) * unit);
        }
        return Human.percent(p);
    }
}
