package io.leakwatch.guard;

import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * At most one sample per pid in a collection, whatever the OS handed over. A corrupted
 * SYSTEM_PROCESS_INFORMATION record can repeat another's pid (found by fuzzing); two samples with
 * one pid and the same name would be duplicate series, and Prometheus rejects a whole scrape with
 * one. Later repeats are dropped and counted as malformed.
 */
public final class DistinctPidsBackend extends GuardingBackend {
    private final Set<Long> seen = new HashSet<>();

    public DistinctPidsBackend(ProcessBackend delegate) {
        super(delegate);
    }

    @Override
    ProcessSnapshot guard(ProcessSnapshot snapshot) {
        seen.clear();
        List<ProcessSample> processes = snapshot.processes();
        List<ProcessSample> distinct = null;
        for (int i = 0; i < processes.size(); i++) {
            ProcessSample s = processes.get(i);
            if (seen.add(s.info().pid())) {
                if (distinct != null) {
                    distinct.add(s);
                }
            } else if (distinct == null) {
                distinct = new ArrayList<>(processes.subList(0, i)); // copy only when a repeat shows up
            }
        }
        if (distinct == null) {
            return snapshot;
        }
        return snapshot.withProcessesAndMalformed(distinct, processes.size() - distinct.size());
    }

    @Override
    void forget() {
        seen.clear();
    }
}
