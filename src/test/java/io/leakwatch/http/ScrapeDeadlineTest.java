package io.leakwatch.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The scrape deadline as windows_exporter derives it from Prometheus' timeout header. */
class ScrapeDeadlineTest {
    @Test
    void headerMinusMargin() {
        assertEquals(9.5, MetricsHandler.deadlineSeconds(null, 0.5), 1e-9, "no header: 10 s");
        assertEquals(14.5, MetricsHandler.deadlineSeconds("15", 0.5), 1e-9);
        assertEquals(9.5, MetricsHandler.deadlineSeconds("0", 0.5), 1e-9, "0 means none");
        assertEquals(9.5, MetricsHandler.deadlineSeconds("soon", 0.5), 1e-9, "garbled: the default");
        assertEquals(9.5, MetricsHandler.deadlineSeconds("NaN", 0.5), 1e-9);
    }

    @Test
    void aTimeoutSmallerThanTheMarginLeavesNoTimeInsteadOfBeingClamped() {
        assertEquals(-0.2, MetricsHandler.deadlineSeconds("0.3", 0.5), 1e-9);
        assertEquals(0, MetricsHandler.deadlineSeconds("0.5", 0.5), 1e-9);
        assertEquals(-5.5, MetricsHandler.deadlineSeconds("-5", 0.5), 1e-9, "windows_exporter parses a negative header as given");
    }
}
