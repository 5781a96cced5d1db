package io.leakwatch.model;

import java.util.List;

/**
 * Result of one collection over all processes. Each skipped count is of processes the filter
 * selected but this collection leaves out, by reason.
 *
 * @param processes            selected processes, in no particular order
 * @param skippedVanished      processes that exited while being read (normal churn, not an error)
 * @param skippedMalformed     processes or records whose data could not be parsed
 * @param droppedOverLimit     selected processes left out by --collector.process.max-processes
 * @param pendingRedaction     new processes left out of this collection because hiding the secrets in
 *                             their name or command line was not done in time (they appear once it is)
 * @param cutNames             processes whose name was cut to the label length cap (not skipped: counted apart)
 * @param skippedUnreadable    processes whose files this user may not read (e.g. /proc mounted with hidepid=1)
 * @param skippedKernelThreads Linux kernel threads, left out unless --collector.process.kernel-threads
 */
public record ProcessSnapshot(List<ProcessSample> processes, int skippedVanished, int skippedMalformed, int droppedOverLimit,
                              int pendingRedaction, int cutNames, int skippedUnreadable, int skippedKernelThreads) {
    public ProcessSnapshot {
        processes = List.copyOf(processes);
    }

    public ProcessSnapshot(List<ProcessSample> processes, int skippedVanished, int skippedMalformed, int droppedOverLimit) {
        this(processes, skippedVanished, skippedMalformed, droppedOverLimit, 0, 0, 0, 0);
    }

    public ProcessSnapshot(List<ProcessSample> processes, int skippedVanished, int skippedMalformed) {
        this(processes, skippedVanished, skippedMalformed, 0);
    }

    /** Same counts, other processes (for wrappers that rewrite samples). */
    public ProcessSnapshot withProcesses(List<ProcessSample> newProcesses) {
        return new ProcessSnapshot(newProcesses, skippedVanished, skippedMalformed, droppedOverLimit, pendingRedaction, cutNames,
                skippedUnreadable, skippedKernelThreads);
    }

    /** Other processes, n more of them malformed. */
    public ProcessSnapshot withProcessesAndMalformed(List<ProcessSample> newProcesses, int n) {
        return new ProcessSnapshot(newProcesses, skippedVanished, skippedMalformed + n, droppedOverLimit, pendingRedaction, cutNames,
                skippedUnreadable, skippedKernelThreads);
    }

    /** Other processes, n more of them dropped over the limit. */
    public ProcessSnapshot withProcessesAndOverLimit(List<ProcessSample> newProcesses, int n) {
        return new ProcessSnapshot(newProcesses, skippedVanished, skippedMalformed, droppedOverLimit + n, pendingRedaction, cutNames,
                skippedUnreadable, skippedKernelThreads);
    }

    /** Other processes, n more of them waiting for redaction. */
    public ProcessSnapshot withProcessesAndPendingRedaction(List<ProcessSample> newProcesses, int n) {
        return new ProcessSnapshot(newProcesses, skippedVanished, skippedMalformed, droppedOverLimit, pendingRedaction + n, cutNames,
                skippedUnreadable, skippedKernelThreads);
    }

    /** Other processes, n more names cut. */
    public ProcessSnapshot withProcessesAndCutNames(List<ProcessSample> newProcesses, int n) {
        return new ProcessSnapshot(newProcesses, skippedVanished, skippedMalformed, droppedOverLimit, pendingRedaction, cutNames + n,
                skippedUnreadable, skippedKernelThreads);
    }

    /** A process missing from this collection may still be alive: one was skipped for a reason other than the settings. */
    public boolean skippedLiveOnes() {
        return skippedVanished + skippedMalformed + skippedUnreadable > 0;
    }
}
