package io.leakwatch.leak;


import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;

/**
 * The verdict on one resource (private bytes or handles) of one process, from three rules whose time constants all
 * follow from {@code --leak.window} (W below; 24 h by default):
 * <ul>
 *   <li><b>the window</b>: the trend of the lower envelope over the last W (this life, and the earlier lives of the
 *       same program that it continues), once a whole W is covered: a day of history is what tells a daily ramp from a
 *       leak;</li>
 *   <li><b>the daily lows</b> ({@link DailyLows}): the lowest value of each of the last three periods of W rose, each
 *       step about as much as the others: growth under a daily or weekly load, which the window cannot see;</li>
 *   <li><b>urgent</b> ({@link UrgentGrowth}): private bytes that would reach the host's memory within W, seen over the
 *       last W/8, whatever the history.</li>
 * </ul>
 * A process becomes a suspect when a rule holds at {@link #CONFIRMATIONS} bucket ends in a row (the daily lows: at
 * {@link #DAYS_CONFIRMATIONS} coarse bucket ends; urgent: {@link #URGENT_CONFIRMATIONS}), and stays one while any rule
 * holds with looser thresholds. When the samples needed to judge are missing (a gap), the previous verdict is kept.
 *
 * @param trend   trend of the lower envelope; null with fewer than 3 floors
 * @param outcome how far the series got towards a suspect verdict
 * @param rule    what made the verdict, in words a user knows
 * @param why     one sentence a person can check against the chart
 * @param next    what this judgement leaves for the next one (streaks and the suspect state)
 */
record ResourceVerdict(FloorTrend trend, Outcome outcome, String rule, String why, History next) {
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
        /** Meets every condition of a rule, for fewer bucket ends in a row than it needs so far. */
        CONFIRMING,
        /** Grows at least the threshold, steadily and still now. */
        SUSPECT;

        String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Fewer envelope points than this give no verdict (two per quarter). */
    static final int MIN_POINTS = 2 * FloorTrend.QUARTERS;
    /**
     * Share of the window the history must cover, once it spans the whole window: a day of history is what tells a daily
     * ramp from a leak, and half of it must have samples (a gap or restarts may leave holes).
     */
    static final double MIN_COVERAGE = 0.5;
    /** Mann–Kendall score to become a suspect: one-sided p below 1 in 290,000. */
    static final double Z_ENTER = 4.5;
    /** Hysteresis: a suspect stays one while the score stays above this (p < 0.01)... */
    static final double Z_STAY = 2.33;
    /** ...and its growth above this share of the threshold... */
    static final double SLOPE_STAY_SHARE = 0.8;
    /** ...and at least this many quarter-to-quarter steps rise (3 to become one). */
    static final int QUARTERS_STAY = 2;
    /**
     * A life judged alone becomes a suspect of the window rule only when its lowest value of the last window is above that
     * of the window before by this share of the threshold's growth over a window: a daily ramp, or a wander inside a band,
     * rises over a window but comes back down to the same low.
     */
    static final double LOWS_RISE_SHARE = 0.5;
    /**
     * ...and, once it has three windows of samples, only when its lowest value of the middle window is not below that of
     * the oldest by more than this share of the threshold's growth over a window: the floor of a leaking process never
     * falls, a wander's does.
     */
    static final double LOWS_FALL_SHARE = 0.25;
    /** Bucket ends in a row that must meet every condition before a suspect is named: a passing excursion is not one. */
    static final int CONFIRMATIONS = 3;
    /** Coarse bucket ends in a row for the daily lows. */
    static final int DAYS_CONFIRMATIONS = 2;
    /** Bucket ends in a row for the urgent rule. */
    static final int URGENT_CONFIRMATIONS = 2;

    boolean suspect() {
        return outcome == Outcome.SUSPECT;
    }

    ResourceVerdict withWhy(String newWhy) {
        return new ResourceVerdict(trend, outcome, rule, newWhy, next);
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
     * @param wasSuspect   the previous verdict was a suspect: the looser "stay" thresholds of the rule that named it apply
     * @param madeBy       the rule that named it: {@link #WINDOW}, {@link #DAYS} or {@link #URGENT}
     * @param windowStreak judgements in a row (one per bucket end) that met every condition of the window rule
     * @param daysStreak   the same for the daily lows (one per coarse bucket end)
     * @param urgentStreak the same for the urgent rule
     * @param bucket       the newest complete bucket counted
     * @param coarseBucket the newest complete coarse bucket counted
     */
    record History(boolean wasSuspect, int madeBy, int windowStreak, int daysStreak, int urgentStreak, long bucket,
                   long coarseBucket) {
        static final int WINDOW = 0;
        static final int DAYS = 1;
        static final int URGENT = 2;
        static final History NONE = new History(false, WINDOW, 0, 0, 0, Long.MIN_VALUE, Long.MIN_VALUE);

        boolean suspectBy(int rule) {
            return wasSuspect && madeBy == rule;
        }

    }

    /**
     * Everything one judgement of one resource reads.
     *
     * @param trend              the window rule's trend (this life and the earlier lives it continues); null with too few floors
     * @param coverageSeconds    time of the window covered by samples (the union over the lives judged)
     * @param spansWindow        the lives judged began before the window did
     * @param windowSeconds      --leak.window
     * @param minGrowthPerSecond the threshold
     * @param days               the daily lows of this life; null until it has three windows of samples
     * @param urgent             the urgent rule (private bytes with a known host memory); null otherwise
     * @param bucket             the newest complete bucket
     * @param coarseBucket       the newest complete coarse bucket
     * @param inheritedFrom      when the verdict comes from the previous life of the same program and this life has too few
     *                           samples of its own yet: that life's pid; else -1
     * @param earlierLives       how many earlier lives the window rule judged together with this one
     * @param gap                the samples needed to judge are missing (none in the newest bucket, too few lately, or a
     *                           hole of more than an eighth of the window): a suspect, or one being confirmed, keeps its
     *                           verdict until the window has samples enough again
     * @param lowsRise           how much this life's lowest floor of the last window is above that of the window before
     *                           (NaN until it has both); a life judged alone becomes a suspect of the window rule only when
     *                           this is at least {@link #LOWS_RISE_SHARE} of the threshold's growth over a window (and its lows did
     *                           not fall before: {@link #LOWS_FALL_SHARE})
     * @param previous           the previous verdict on this resource of this process; null at its first judgement
     */
    record Input(FloorTrend trend, double coverageSeconds, boolean spansWindow, double windowSeconds, double minGrowthPerSecond, DailyLows days,
                 UrgentGrowth urgent, long bucket, long coarseBucket, long inheritedFrom, int earlierLives, boolean gap,
                 double lowsRise, ResourceVerdict previous) {
    }

    /**
     * @param value  formats a value of the resource (bytes or a count)
     * @param perDay formats a rate per second as a rate per day, in the resource's unit
     */
    static ResourceVerdict judge(Input in, History h, DoubleFunction<String> value, DoubleFunction<String> perDay) {
        ResourceVerdict judged = judgeRules(in, h, value, perDay);
        ResourceVerdict p = in.previous();
        if (in.gap() && p != null && !judged.suspect() && (p.suspect() || p.outcome() == Outcome.CONFIRMING)) {
            // samples are missing: what they would have said is unknown, so the verdict stays (new evidence may raise it)
            String why = p.why().startsWith(HELD) ? p.why() : HELD + p.why();
            History n = judged.next(); // the rules' confirmations go on where they can
            return new ResourceVerdict(p.trend(), p.outcome(), p.rule(), why, new History(h.wasSuspect(), h.madeBy(),
                    n.windowStreak(), n.daysStreak(), n.urgentStreak(), n.bucket(), n.coarseBucket()));
        }
        return judged;
    }

    private static ResourceVerdict judgeRules(Input in, History h, DoubleFunction<String> value, DoubleFunction<String> perDay) {
        double w = in.windowSeconds();
        double thr = in.minGrowthPerSecond();
        FloorTrend t = in.trend();
        boolean newBucket = in.bucket() > h.bucket();
        boolean newCoarse = in.coarseBucket() > h.coarseBucket();

        // the window rule
        int points = t == null ? 0 : t.points();
        String windowRule = in.earlierLives() == 0 ? "the trend over the last " + Human.duration(w)
                : "the trend over the last " + Human.duration(w) + " of this process and " + in.earlierLives()
                + (in.earlierLives() == 1 ? " earlier life" : " earlier lives") + " of the same program";
        Outcome level;
        String why;
        boolean windowEnter = false;
        boolean windowStay = false;
        // the sentences are made only for the verdict that uses them: judging runs for every process at every bucket end
        Supplier<String> rateText = () -> t == null ? "" : "lower envelope grows " + perDay.apply(t.slopePerSecond());
        Supplier<String> oddsText = () -> t == null ? "" : "the chance that noise alone rises this steadily is " + chance(t.z());
        Supplier<String> windowSuspect = () -> t == null ? "" : rateText.get() + " (threshold " + perDay.apply(thr) + "), "
                + oddsText.get() + ", rising in every quarter and still rising over " + Human.duration(in.coverageSeconds())
                + " of history";
        if (points < MIN_POINTS) {
            level = Outcome.LEARNING;
            why = "only " + points + " envelope points so far; " + MIN_POINTS + " needed";
        } else {
            windowStay = in.coverageSeconds() >= MIN_COVERAGE * w && t.slopePerSecond() >= SLOPE_STAY_SHARE * thr
                    && t.z() >= Z_STAY && t.quarterRises() >= QUARTERS_STAY && t.growthIsCurrent();
            if (!in.spansWindow()) {
                level = Outcome.LEARNING;
                why = rateText.get() + ", but the history is shorter than the " + Human.duration(w) + " needed to tell a daily ramp "
                        + "from a leak";
            } else if (in.coverageSeconds() < MIN_COVERAGE * w) {
                level = Outcome.LEARNING;
                why = rateText.get() + ", but samples cover only " + Human.duration(in.coverageSeconds()) + " of the last "
                        + Human.duration(w) + " (half of it needed)";
            } else if (t.slopePerSecond() < thr) {
                level = Outcome.STABLE;
                why = rateText.get() + ", below the threshold of " + perDay.apply(thr);
            } else if (t.z() < Z_ENTER) {
                level = Outcome.NOT_STEADY;
                why = rateText.get() + ", but " + oddsText.get() + " (" + chance(Z_ENTER) + " or less needed): noise or a sawtooth, not a steady rise";
            } else if (t.quarterRises() < FloorTrend.QUARTERS - 1) {
                level = Outcome.NOT_STEADY;
                why = rateText.get() + ", but only " + t.quarterRises() + " of " + (FloorTrend.QUARTERS - 1)
                        + " quarter-to-quarter steps rose: a one-time step or a warm-up";
            } else if (Double.isNaN(t.recentRise())) {
                level = Outcome.LEARNING; // missing samples say nothing about whether it still grows
                why = rateText.get() + ", but the last " + Human.duration(t.recentSpanSeconds()) + " have too few samples to "
                        + "tell whether it still grows";
            } else if (!t.growthIsCurrent()) {
                level = Outcome.LEVELLED_OFF;
                why = rateText.get() + " over the window, but the last " + Human.duration(t.recentSpanSeconds()) + " rose only "
                        + Human.percent(Math.max(0, t.recentRise()) / t.recentExpected()) + " of that: it has levelled off";
            } else if (in.earlierLives() == 0 && in.days() != null
                    && in.days().lows()[1] < in.days().lows()[0] - LOWS_FALL_SHARE * thr * w) {
                level = Outcome.NOT_STEADY;
                why = rateText.get() + ", but " + in.days().describe(w, value, perDay) + ": its lowest value fell on the "
                        + "way, memory was given back, a wander, not a leak";
            } else if (in.earlierLives() == 0 && !(in.lowsRise() >= LOWS_RISE_SHARE * thr * w)) {
                level = Outcome.NOT_STEADY;
                why = Double.isNaN(in.lowsRise())
                        ? rateText.get() + ", but there is no earlier period of " + Human.duration(w) + " yet to tell a daily ramp from a leak"
                        : rateText.get() + ", but its lowest value " + (in.lowsRise() < 0 ? "is " + value.apply(-in.lowsRise())
                        + " below" : "rose only " + value.apply(in.lowsRise()) + " above") + " that of the " + Human.duration(w)
                        + " before (" + value.apply(LOWS_RISE_SHARE * thr * w) + " above needed): it comes back down, a daily "
                        + "ramp or a wander, not a leak";
            } else {
                level = Outcome.CONFIRMING;
                windowEnter = true;
                why = windowSuspect.get();
            }
        }

        int windowStreak = streak(windowEnter, newBucket, h.windowStreak());
        int daysStreak = streak(in.days() != null && in.days().enter(), newCoarse, h.daysStreak());
        int urgentStreak = streak(in.urgent() != null && in.urgent().enter(), newBucket, h.urgentStreak());
        Supplier<String> daysWhy = () -> in.days() == null ? "" : in.days().describe(w, value, perDay);
        String daysRule = "the lowest value of each of the last " + DailyLows.WINDOWS + " periods of " + Human.duration(w);
        Supplier<String> urgentWhy = () -> in.urgent() == null ? "" : "grows " + perDay.apply(in.urgent().slopePerSecond()) + " over the last "
                + Human.duration(w / 8) + ": at this rate it reaches the host's memory in "
                + Human.duration(in.urgent().secondsToFull());
        String urgentRule = "urgent: it would fill the host's memory within " + Human.duration(w);

        // a suspect stays one while the rule that named it holds with its looser thresholds, or another rule names it
        boolean urgentHolds = h.suspectBy(History.URGENT) && in.urgent() != null && in.urgent().stay()
                || urgentStreak >= URGENT_CONFIRMATIONS;
        boolean windowHolds = h.suspectBy(History.WINDOW) && windowStay || windowStreak >= CONFIRMATIONS;
        boolean daysHolds = h.suspectBy(History.DAYS) && in.days() != null && in.days().stay() || daysStreak >= DAYS_CONFIRMATIONS;
        boolean suspect = true;
        int madeBy;
        String rule;
        String text;
        if (windowHolds) {
            madeBy = History.WINDOW;
            rule = windowRule;
            text = windowSuspect.get();
        } else if (daysHolds) {
            madeBy = History.DAYS;
            rule = daysRule;
            text = daysWhy.get() + ", rising day after day at every time of day (threshold " + perDay.apply(thr) + ")";
        } else if (urgentHolds) {
            madeBy = History.URGENT;
            rule = urgentRule;
            text = urgentWhy.get();
        } else {
            suspect = false;
            madeBy = History.WINDOW;
            rule = windowRule;
            text = why;
        }
        if (suspect && in.inheritedFrom() >= 0) {
            rule = "inherited from the previous life of the same program (pid " + in.inheritedFrom()
                    + "), until this process has samples enough of its own";
            text = "the previous life of this program (pid " + in.inheritedFrom() + ") was a suspect when it ended, and "
                    + "this process has too few samples yet to be judged on its own (" + Human.duration(MIN_POINTS * w
                    / LeakSettings.BUCKETS) + " needed); its own flat samples will clear it";
        }
        Outcome outcome = suspect ? Outcome.SUSPECT : level;
        if (!suspect && (windowStreak > 0 || daysStreak > 0 || urgentStreak > 0)) {
            outcome = Outcome.CONFIRMING;
            if (urgentStreak > 0) {
                rule = urgentRule;
                text = urgentWhy.get() + "; a suspect if this still holds after " + (URGENT_CONFIRMATIONS - urgentStreak) + " more buckets";
            } else if (windowStreak > 0) {
                text = windowSuspect.get() + "; a suspect if this still holds after " + (CONFIRMATIONS - windowStreak) + " more buckets";
            } else {
                rule = daysRule;
                text = daysWhy.get() + "; a suspect if this still holds after " + Human.duration((DAYS_CONFIRMATIONS - daysStreak)
                        * w / FloorHistory.COARSE_PER_WINDOW);
            }
        }
        History next = new History(suspect, madeBy, windowStreak, daysStreak, urgentStreak, Math.max(h.bucket(), in.bucket()),
                Math.max(h.coarseBucket(), in.coarseBucket()));
        return new ResourceVerdict(t, outcome, rule, text, next);
    }

    /** Prefix of a verdict kept through a gap. */
    static final String HELD = "kept through a gap in the samples: ";

    /** A rule's streak: counted once per new bucket, reset when it fails. */
    private static int streak(boolean holds, boolean newData, int before) {
        if (!holds) {
            return 0;
        }
        return newData ? before + 1 : Math.max(before, 1);
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
