package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable picture of leak detection, published after every evaluation and read by /leaks,
 * /leaks.json and the metrics without taking the detector's lock.
 *
 * @param generatedAtSeconds  when it was computed (Unix seconds)
 * @param settings            the settings it was judged with
 * @param physicalMemoryBytes the host's physical memory
 * @param processes           every tracked process: suspects first, then by growth of the private-bytes envelope
 * @param exitedSuspects      the last verdicts of suspects that exited recently, newest first
 * @param untrackedProcesses  processes left out because the global cap was reached
 * @param servicesWithPastLives services whose earlier lives are kept for judging restarts
 */
record LeakReport(double generatedAtSeconds, LeakSettings settings, double physicalMemoryBytes,
                  List<LeakVerdict> processes, List<LeakVerdict> exitedSuspects, int untrackedProcesses,
                  int servicesWithPastLives) {
    /** The ranking of /leaks and /leaks.json: suspects first, then the fastest-growing private-bytes envelope. */
    static final Comparator<LeakVerdict> RANKING = Comparator.comparing((LeakVerdict v) -> !v.suspect())
            .thenComparing(Comparator.comparingDouble((LeakVerdict v) -> {
                double slope = v.privateBytes().slopePerSecond();
                return Double.isNaN(slope) ? Double.NEGATIVE_INFINITY : slope;
            }).reversed());

    LeakReport {
        List<LeakVerdict> ranked = new ArrayList<>(processes);
        ranked.sort(RANKING);
        processes = List.copyOf(ranked);
        exitedSuspects = List.copyOf(exitedSuspects);
    }

    /** Rows listed besides the suspects (the page and JSON stay small with thousands of processes). */
    static final int LISTED = 100;

    static LeakReport empty(LeakSettings settings, double physicalMemoryBytes) {
        return new LeakReport(Double.NaN, settings, physicalMemoryBytes, List.of(), List.of(), 0, 0);
    }

    List<LeakVerdict> suspects() {
        return processes.stream().filter(LeakVerdict::suspect).toList();
    }

    /** What /leaks and /leaks.json list: every suspect, then the fastest-growing others, at most {@link #LISTED} of them. */
    List<LeakVerdict> listed() {
        List<LeakVerdict> out = new ArrayList<>();
        int others = 0;
        for (LeakVerdict v : processes) {
            if (v.suspect() || others++ < LISTED) {
                out.add(v);
            }
        }
        return out;
    }

    /** Verdicts by pid, for matching a scrape's processes (pid and start time) to their verdicts. */
    Map<Long, LeakVerdict> byPid() {
        Map<Long, LeakVerdict> m = new HashMap<>(processes.size() * 2);
        for (LeakVerdict v : processes) {
            m.put(v.info().pid(), v);
        }
        return m;
    }
}
