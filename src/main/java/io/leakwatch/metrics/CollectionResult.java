package io.leakwatch.metrics;

import io.leakwatch.model.ProcessSnapshot;

/**
 * Outcome of one collection as a scrape sees it.
 *
 * @param snapshot        the processes; null when the collection failed or missed the deadline
 * @param durationSeconds time spent collecting (up to the deadline when it timed out)
 * @param timedOut        the deadline passed before the collection finished
 * @param finishedAtMillis wall clock when the collection ended
 */
public record CollectionResult(ProcessSnapshot snapshot, double durationSeconds, boolean timedOut, long finishedAtMillis) {
    public boolean success() {
        return snapshot != null;
    }
}
