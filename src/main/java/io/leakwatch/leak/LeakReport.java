package io.leakwatch.leak;

import io.leakwatch.config.LeakSettings;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable picture of leak detection, published after every evaluation and read by /leaks,
 * /leaks.json and the metrics without taking the detector's lock.
 *
 * @param generatedAtSeconds  when it was computed (Unix seconds)
 * @param settings            the settings it was judged with
 * @param physicalMemoryBytes the host's physical memory
 * @param processes           every tracked process, fastest-growing private-bytes floor first
 * @param exitedSuspects      the last verdicts of suspects that exited recently, newest first
 * @param untrackedProcesses  processes left out because the global cap was reached
 */
record LeakReport(double generatedAtSeconds, LeakSettings settings, double physicalMemoryBytes,
                  List<LeakVerdict> processes, List<LeakVerdict> exitedSuspects, int untrackedProcesses) {

    /** Rows listed besides the suspects (the page and JSON stay small with thousands of processes). */
    static final int LISTED = 100;

    List<LeakVerdict> suspects() {
        return processes.stream().filter(LeakVerdict::suspect).toList();
    }

    /** What /leaks and /leaks.json list: suspects first, then the fastest-growing others, at most {@link #LISTED} of them. */
    List<LeakVerdict> listed() {
        List<LeakVerdict> suspects = suspects();
        List<LeakVerdict> out = new ArrayList<>(suspects);
        for (LeakVerdict v : processes) {
            if (!v.suspect() && out.size() < LISTED + suspects.size()) {
                out.add(v);
            }
        }
        return out;
    }
}
