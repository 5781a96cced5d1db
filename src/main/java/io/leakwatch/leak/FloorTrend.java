package io.leakwatch.leak;

import java.util.Arrays;

/**
 * Robust trend of a series of bucket floors.
 *
 * @param points          floors used (NaN buckets left out)
 * @param slopePerSecond  Theil–Sen slope: the median of the slopes between every pair of floors;
 *                        unmoved by a few outliers or a single spike
 * @param intercept       value of the trend line at time 0 (median of v - slope * t)
 * @param concordance     share of floor pairs (earlier, later) where the later floor is higher (0..1; ties count half):
 *                        about 0.5 for noise or a sawtooth, near 1 for a steady rise
 * @param quarterRises    how many of the 3 steps between the medians of the 4 quarters of the series rose by at
 *                        least a quarter of what the trend predicts: 3 means the rise is spread over the window,
 *                        a one-time step or a ramp that levelled off gets at most 1 or 2
 * @param lastFloor       the newest floor
 */
record FloorTrend(int points, double slopePerSecond, double intercept, double concordance, int quarterRises,
                  double lastFloor) {
    static final int QUARTERS = 4;
    /** A quarter counts as rising when it rose by at least this share of the trend's prediction. */
    static final double QUARTER_RISE_SHARE = 0.25;

    /** @return null when fewer than 3 usable floors */
    static FloorTrend of(double[] times, double[] values) {
        int n = 0;
        double[] t = new double[times.length];
        double[] v = new double[times.length];
        for (int i = 0; i < times.length; i++) {
            if (!Double.isNaN(values[i])) {
                t[n] = times[i];
                v[n] = values[i];
                n++;
            }
        }
        if (n < 3) {
            return null;
        }
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        double concordant = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                slopes[k++] = (v[j] - v[i]) / (t[j] - t[i]);
                concordant += v[j] > v[i] ? 1 : v[j] == v[i] ? 0.5 : 0;
            }
        }
        double slope = median(slopes, k);
        double[] offsets = new double[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = v[i] - slope * t[i];
        }
        double intercept = median(offsets, n);
        return new FloorTrend(n, slope, intercept, concordant / k, quarterRises(t, v, n, slope), v[n - 1]);
    }

    private static int quarterRises(double[] t, double[] v, int n, double slope) {
        if (n < 2 * QUARTERS || slope <= 0) {
            return 0;
        }
        double[] medianValue = new double[QUARTERS];
        double[] medianTime = new double[QUARTERS];
        for (int q = 0; q < QUARTERS; q++) {
            int from = q * n / QUARTERS;
            int to = (q + 1) * n / QUARTERS;
            medianValue[q] = median(Arrays.copyOfRange(v, from, to), to - from);
            medianTime[q] = median(Arrays.copyOfRange(t, from, to), to - from);
        }
        int rises = 0;
        for (int q = 1; q < QUARTERS; q++) {
            double predicted = slope * (medianTime[q] - medianTime[q - 1]);
            if (medianValue[q] - medianValue[q - 1] >= QUARTER_RISE_SHARE * predicted) {
                rises++;
            }
        }
        return rises;
    }

    private static double median(double[] values, int count) {
        double[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    }

    double valueAt(double timeSeconds) {
        return intercept + slopePerSecond * timeSeconds;
    }
}
