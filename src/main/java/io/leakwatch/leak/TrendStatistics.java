package io.leakwatch.leak;

import java.util.Arrays;

/**
 * The statistics behind a verdict, over one or more blocks of points (one block per life of a
 * process; a process that never restarted is one block). Pairs are only ever formed inside a block,
 * so lives with different baselines pool cleanly (the seasonal Kendall test of Hirsch, Slack and
 * Smith, 1982, with lives as seasons).
 * <ul>
 *   <li>slope: the Theil–Sen estimate, the median of the slopes of every pair of points in a block;</li>
 *   <li>significance: the Mann–Kendall statistic S summed over blocks, its variance corrected for
 *       ties and, per block, for autocorrelation (Hamed and Rao, 1998: the variance is multiplied by
 *       n/n* from the significant autocorrelations of the ranks of the detrended series; the factor
 *       is never below 1, so the correction can only make the test stricter).</li>
 * </ul>
 * Stateless; the work is O(n²) in the points of a block (at most {@link LeakSettings#BUCKETS}).
 */
final class TrendStatistics {
    /** Two-sided 95% bound for an autocorrelation to count as significant in the Hamed–Rao correction. */
    private static final double ACF_Z = 1.96;

    private TrendStatistics() {
    }

    /**
     * @param slope    Theil–Sen slope (per second); NaN with no pair
     * @param s        Mann–Kendall S over all blocks
     * @param variance variance of S with the tie and autocorrelation corrections
     * @param z        normal score of S (continuity corrected); 0 when S is 0
     */
    record Result(double slope, double s, double variance, double z) {
    }

    /**
     * @param times  per block, point times (seconds), ascending
     * @param values per block, values (no NaN)
     */
    static Result of(double[][] times, double[][] values) {
        int pairCount = 0;
        for (double[] t : times) {
            pairCount += t.length * (t.length - 1) / 2;
        }
        if (pairCount == 0) {
            return new Result(Double.NaN, 0, 0, 0);
        }
        double[] slopes = new double[pairCount];
        int k = 0;
        double s = 0;
        for (int b = 0; b < times.length; b++) {
            double[] t = times[b];
            double[] v = values[b];
            for (int i = 0; i < t.length; i++) {
                for (int j = i + 1; j < t.length; j++) {
                    if (t[j] > t[i]) {
                        slopes[k++] = (v[j] - v[i]) / (t[j] - t[i]);
                    }
                    s += Math.signum(v[j] - v[i]);
                }
            }
        }
        double slope = k == 0 ? Double.NaN : median(slopes, k);
        double variance = 0;
        for (int b = 0; b < times.length; b++) {
            int n = times[b].length;
            if (n < 3) {
                // S of 1 or 2 points has a tiny variance; still count it so S and Var stay consistent
                variance += tieVariance(values[b]);
                continue;
            }
            variance += tieVariance(values[b]) * hamedRaoFactor(times[b], values[b], Double.isNaN(slope) ? 0 : slope);
        }
        double z = 0;
        if (variance > 0 && s != 0) {
            z = (s - Math.signum(s)) / Math.sqrt(variance);
        }
        return new Result(slope, s, variance, z);
    }

    /** Var(S) under no trend, with the usual correction for groups of tied values. */
    static double tieVariance(double[] v) {
        int n = v.length;
        double var = n * (n - 1.0) * (2.0 * n + 5) / 18;
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && sorted[j + 1] == sorted[i]) {
                j++;
            }
            int t = j - i + 1;
            if (t > 1) {
                var -= t * (t - 1.0) * (2.0 * t + 5) / 18;
            }
            i = j + 1;
        }
        return Math.max(var, 0);
    }

    /**
     * n/n*: how much the autocorrelation of the detrended series inflates the variance of S
     * (Hamed and Rao 1998, eq. 18, with the significant lags only); at least 1.
     */
    static double hamedRaoFactor(double[] t, double[] v, double slope) {
        int n = v.length;
        double[] detrended = new double[n];
        for (int i = 0; i < n; i++) {
            detrended[i] = v[i] - slope * t[i];
        }
        double[] r = ranks(detrended);
        double mean = (n + 1) / 2.0;
        double c0 = 0;
        for (double x : r) {
            c0 += (x - mean) * (x - mean);
        }
        if (c0 == 0) {
            return 1;
        }
        double bound = ACF_Z / Math.sqrt(n);
        double sum = 0;
        for (int lag = 1; lag <= n - 3; lag++) {
            double c = 0;
            for (int i = 0; i + lag < n; i++) {
                c += (r[i] - mean) * (r[i + lag] - mean);
            }
            double rho = c / c0;
            if (Math.abs(rho) > bound) {
                sum += (n - lag) * (n - lag - 1.0) * (n - lag - 2.0) * rho;
            }
        }
        double factor = 1 + 2 * sum / (n * (n - 1.0) * (n - 2.0));
        return Math.max(1, factor);
    }

    /** Ranks 1..n, ties get their average rank. */
    static double[] ranks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[order[k]] = rank;
            }
            i = j + 1;
        }
        return r;
    }

    /** The median of the first {@code count} values (not changed), in linear expected time (quickselect). */
    static double median(double[] values, int count) {
        double[] a = Arrays.copyOf(values, count);
        double upper = select(a, count / 2);
        if (count % 2 == 1) {
            return upper;
        }
        double lower = Double.NEGATIVE_INFINITY; // the largest value below the upper middle, all in a[0 .. count/2)
        for (int i = 0; i < count / 2; i++) {
            lower = Math.max(lower, a[i]);
        }
        return (lower + upper) / 2;
    }

    /** Rearranges {@code a} so that a[k] is the k-th smallest, smaller ones before it; returns a[k]. */
    private static double select(double[] a, int k) {
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            double pivot = medianOfThree(a[lo], a[lo + (hi - lo) / 2], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static double medianOfThree(double a, double b, double c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /** One-sided p-value of a normal score (upper tail), for the reason text. */
    static double upperTail(double z) {
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /** Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7). */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
