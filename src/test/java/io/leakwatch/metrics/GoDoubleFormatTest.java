package io.leakwatch.metrics;

import io.prometheus.client.Collector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GoDoubleFormatTest {
    private final GoDoubleFormat format = new GoDoubleFormat();

    private void assertSameAsSimpleclient(double value) throws IOException {
        StringWriter out = new StringWriter();
        format.write(out, value);
        assertEquals(Collector.doubleToGoString(value), out.toString(), "value " + value);
    }

    @Test
    void specialValuesMatchSimpleclient() throws IOException {
        double[] values = {0.0, -0.0, 1.0, -1.0, 9.0, 10.0, 9_999_999.0, 10_000_000.0, 10_000_001.0, -10_000_000.0,
                12_345_678.0, 100_000_000.0, 1_000_000_000_000.0, 4096.0 * 1024 * 1024, 9007199254740991.0,
                9007199254740992.0, 1.8446744073709552E19, Long.MAX_VALUE, Long.MIN_VALUE, 0.5, 0.01, 1e-7, 1.7641e9 + 0.37,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE};
        for (double v : values) {
            assertSameAsSimpleclient(v);
        }
    }

    @Test
    void wholeNumbersOfEveryMagnitudeMatchSimpleclient() throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            long bits = random.nextLong() >>> random.nextInt(64); // spread over all magnitudes
            assertSameAsSimpleclient((double) bits);
            assertSameAsSimpleclient(-(double) (bits >>> 11));
            assertSameAsSimpleclient((double) ((bits >>> 11) / 1024 * 1024)); // kB -> bytes, as /proc gives them
        }
    }

    @Test
    void fractionsAndRandomBitsMatchSimpleclient() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            assertSameAsSimpleclient(random.nextInt(1_000_000) / 100.0); // clock ticks -> seconds
            assertSameAsSimpleclient(Double.longBitsToDouble(random.nextLong()));
        }
    }
}
