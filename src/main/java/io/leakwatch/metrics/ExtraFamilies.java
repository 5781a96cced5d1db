package io.leakwatch.metrics;

import io.leakwatch.model.ProcessSnapshot;
import io.prometheus.client.Collector.MetricFamilySamples;

import java.util.List;

/**
 * A feature that adds its own metric families to every scrape of the process collector (for
 * example leak detection), so {@link Exposition} does not grow a branch per feature.
 * Called on the scrape's thread: return quickly from already computed values.
 */
public interface ExtraFamilies {
    /**
     * @param snapshot the processes this scrape exposes (null when the collection failed): per-process series
     *                 must be limited to them, so they vanish in the same scrape as the process's own series
     */
    List<MetricFamilySamples> families(ProcessSnapshot snapshot);
}
