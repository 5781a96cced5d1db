package io.leakwatch.leak;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where a backtest's recorded samples come from: Prometheus range-query files, a Prometheus server, or (for the
 * evaluation) series made in memory. A source is read in time slices, so a long history never has to fit in
 * memory at once: first its catalogue, then the samples of each slice.
 */
public interface BacktestSource {
    /** The metrics a backtest reads. */
    enum Metric {
        /** windows_process_private_bytes */
        PRIVATE_BYTES,
        /** windows_process_handles */
        HANDLES,
        /** windows_process_start_time_seconds_timestamp (optional: tells a reused pid from the same process) */
        START_TIME
    }

    /**
     * One recorded process series: the labels that identify it.
     *
     * @param instance  the instance label (empty when there is none): each instance is judged as its own host
     * @param process   the process label
     * @param processId the process_id label
     */
    record Key(String instance, String process, String processId) {
    }

    /**
     * Who a process series was from some time on, from windows_process_info (a pid can be reused by another program).
     *
     * @param fromSeconds the first time this identity was recorded
     * @param owner       the owner label ("" when unknown)
     * @param cmdline     the cmdline label ("" when unknown)
     */
    record Identity(double fromSeconds, String owner, String cmdline) {
        static final Identity UNKNOWN = new Identity(Double.NEGATIVE_INFINITY, "", "");
    }

    /**
     * What a source holds.
     *
     * @param processes      every process series, in a fixed order (the index is the process's number in {@link Sink})
     * @param identities     per process, its identities in time order (empty when the source has no windows_process_info:
     *                       then the name alone makes the service)
     * @param firstSeconds   time of the oldest sample
     * @param lastSeconds    time of the newest sample
     * @param resolutionSeconds how far apart a process's samples are (a range query's step), NaN when unknown
     * @param hostMemory     per instance, the host's physical memory in bytes when the source has it
     */
    record Catalog(List<Key> processes, List<List<Identity>> identities, double firstSeconds, double lastSeconds,
                   double resolutionSeconds, Map<String, Double> hostMemory) {
    }

    /** Receives samples; {@code process} is the index in {@link Catalog#processes()}. */
    interface Sink {
        void sample(int process, Metric metric, double timeSeconds, double value);
    }

    Catalog catalog() throws IOException;

    /** Delivers every sample with {@code from < time <= to}, in any order. */
    void samples(Catalog catalog, double from, double to, Sink sink) throws IOException;
}
