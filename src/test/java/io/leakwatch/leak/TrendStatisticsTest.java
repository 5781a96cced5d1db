package io.leakwatch.leak;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The statistics against hand-computed values and a plain sort. */
class TrendStatisticsTest {

    @Test
    void mannKendallAndTheilSenOnAStraightLine() {
        TrendStatistics.Result r = TrendStatistics.of(new double[][]{{0, 1, 2, 3, 4}}, new double[][]{{1, 2, 3, 4, 5}});
        assertEquals(10, r.s());
        assertEquals(5 * 4 * 15 / 18.0, r.variance(), 1e-9, "n(n-1)(2n+5)/18; a straight line has no autocorrelation left");
        assertEquals(9 / Math.sqrt(5 * 4 * 15 / 18.0), r.z(), 1e-9, "continuity corrected");
        assertEquals(1, r.slope(), 1e-12);
    }

    @Test
    void tiesLowerTheVariance() {
        assertEquals((300 - 2 * 2 * 1 * 9) / 18.0, TrendStatistics.tieVariance(new double[]{1, 1, 2, 2, 3}), 1e-9);
        TrendStatistics.Result r = TrendStatistics.of(new double[][]{{0, 1, 2, 3, 4}}, new double[][]{{1, 1, 2, 2, 3}});
        assertEquals(8, r.s());
    }

    @Test
    void livesArePooledWithoutPairsAcrossThem() {
        // two lives each rising 1 per step from different baselines: a pair across lives would see a fall
        TrendStatistics.Result r = TrendStatistics.of(new double[][]{{0, 1, 2, 3}, {10, 11, 12, 13}},
                new double[][]{{100, 101, 102, 103}, {5, 6, 7, 8}});
        assertEquals(12, r.s(), "6 rising pairs in each life");
        assertEquals(1, r.slope(), 1e-12);
        assertEquals(2 * 4 * 3 * 13 / 18.0, r.variance(), 1e-9, "variances add up");
    }

    @Test
    void autocorrelationOnlyEverInflatesTheVariance() {
        Random random = new Random(42);
        double[] t = new double[48];
        double[] walk = new double[48];
        double x = 0;
        for (int i = 0; i < 48; i++) {
            t[i] = i;
            x += random.nextGaussian();
            walk[i] = x;
        }
        double factor = TrendStatistics.hamedRaoFactor(t, walk, 0);
        assertTrue(factor > 2, "a random walk is strongly autocorrelated: " + factor);
        double[] alternating = new double[48];
        for (int i = 0; i < 48; i++) {
            alternating[i] = i % 2;
        }
        assertEquals(1, TrendStatistics.hamedRaoFactor(t, alternating, 0), "never below 1");
    }

    @Test
    void medianMatchesASortWithTiesAndEvenCounts() {
        Random random = new Random(7);
        for (int round = 0; round < 2000; round++) {
            int n = 1 + random.nextInt(300);
            double[] v = new double[n + 5];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextInt(round % 3 == 0 ? 4 : 1000) - 10;
            }
            double[] copy = v.clone();
            double[] sorted = Arrays.copyOf(v, n);
            Arrays.sort(sorted);
            double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            assertEquals(expected, TrendStatistics.median(v, n), "n=" + n);
            assertTrue(Arrays.equals(copy, v), "the input is not changed");
        }
    }

    @Test
    void theChanceReadsAsOddsAPersonKnows() {
        assertEquals("50%", ResourceVerdict.chance(0));
        assertEquals("3%", ResourceVerdict.chance(1.88));
        assertEquals("1 in 1,000", ResourceVerdict.chance(3.0902));
        assertEquals("1 in 290,000", ResourceVerdict.chance(ResourceVerdict.Z_ENTER));
        assertEquals("below 1 in a billion", ResourceVerdict.chance(8));
    }

    @Test
    void theUpperTailIsTheNormalOne() {
        assertEquals(0.5, TrendStatistics.upperTail(0), 1e-7);
        assertEquals(0.001, TrendStatistics.upperTail(3.0902), 1e-6);
        assertEquals(3.4e-6, TrendStatistics.upperTail(4.5), 1e-7);
    }
}
