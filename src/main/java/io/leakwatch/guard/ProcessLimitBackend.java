package io.leakwatch.guard;

import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cardinality guard: keeps at most {@code maxProcesses} per collection, the largest by private
 * bytes (the leak signal), so a too-wide include regex cannot flood Prometheus. The number
 * dropped is reported in the snapshot and exported as a self-metric.
 */
public final class ProcessLimitBackend extends GuardingBackend {
    /** Largest private bytes first; processes without the value go last. */
    static final Comparator<ProcessSample> LARGEST_FIRST = Comparator.comparingDouble(
            (ProcessSample s) -> Double.isNaN(s.privateBytes()) ? Double.NEGATIVE_INFINITY : s.privateBytes()).reversed();

    private final int maxProcesses;

    public ProcessLimitBackend(ProcessBackend delegate, int maxProcesses) {
        super(delegate);
        if (maxProcesses <= 0) {
            throw new IllegalArgumentException("maxProcesses must be positive");
        }
        this.maxProcesses = maxProcesses;
    }

    @Override
    ProcessSnapshot guard(ProcessSnapshot snapshot) {
        List<ProcessSample> all = snapshot.processes();
        if (all.size() <= maxProcesses) {
            return snapshot;
        }
        List<ProcessSample> sorted = new ArrayList<>(all);
        sorted.sort(LARGEST_FIRST);
        return snapshot.withProcessesAndOverLimit(sorted.subList(0, maxProcesses), all.size() - maxProcesses);
    }
}
