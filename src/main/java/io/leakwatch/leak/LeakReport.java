package io.leakwatch.leak;

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

    List<LeakVerdict> suspects() {
        return processes.stream().filter(LeakVerdict::suspect).toList();
    }
}
