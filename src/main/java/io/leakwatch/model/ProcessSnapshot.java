package io.leakwatch.model;

import java.util.List;

/**
 * Result of one collection over all processes.
 *
 * @param processes        selected processes, in no particular order
 * @param skippedVanished  processes that exited while being read (normal churn, not an error)
 * @param skippedMalformed processes or records whose data could not be parsed
 * @param droppedOverLimit selected processes left out by --collector.process.max-processes
 * @param pendingRedaction new processes left out of this collection because hiding the secrets in
 *                         their name or command line was not done in time (they appear once it is)
 * @param cutNames         processes whose name was cut to the label length cap
 */
public record ProcessSnapshot(List<ProcessSample> processes, int skippedVanished, int skippedMalformed, int droppedOverLimit,
                              int pendingRedaction, int cutNames) {
    public ProcessSnapshot {
        processes = List.copyOf(processes);
    }

    public ProcessSnapshot(List<ProcessSample> processes, int skippedVanished, int skippedMalformed, int droppedOverLimit) {
        this(processes, skippedVanished, skippedMalformed, droppedOverLimit, 0, 0);
    }

    public ProcessSnapshot(List<ProcessSample> processes, int skippedVanished, int skippedMalformed) {
        this(processes, skippedVanished, skippedMalformed, 0);
    }

    /** Same counts, other processes (for wrappers that rewrite samples). */
    public ProcessSnapshot withProcesses(List<ProcessSample> newProcesses) {
        return new ProcessSnapshot(newProcesses, skippedVanished, skippedMalformed, droppedOverLimit, pendingRedaction, cutNames);
    }
}
