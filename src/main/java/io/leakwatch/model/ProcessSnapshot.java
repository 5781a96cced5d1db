package io.leakwatch.model;

import java.util.List;

/**
 * Result of one collection over all processes.
 *
 * @param processes     selected processes, in no particular order
 * @param skippedVanished processes that exited while being read (normal churn, not an error)
 * @param skippedMalformed processes or records whose data could not be parsed
 */
public record ProcessSnapshot(List<ProcessSample> processes, int skippedVanished, int skippedMalformed) {
    public ProcessSnapshot {
        processes = List.copyOf(processes);
    }
}
