package io.leakwatch.leak;

import io.leakwatch.model.ProcessInfo;

import java.util.List;

/**
 * Everything leak detection says about one process at one moment.
 *
 * @param info                       identity and labels
 * @param coverageSeconds            how much of the window the judged history covers, over this life and the
 *                                   earlier lives of the same service
 * @param lastPrivateBytes           newest private bytes sample
 * @param lastHandles                newest handle count (NaN when not readable)
 * @param privateBytes               verdict on the private-bytes envelope
 * @param handles                    verdict on the handle envelope
 * @param secondsUntilPhysicalMemory at the envelope's growth rate, seconds until private bytes reach the host's
 *                                   physical memory; NaN unless the envelope is rising steadily now
 * @param history                    this life's complete bucket floors
 * @param earlierLives               earlier lives of the same service inside the window, judged with this one
 * @param exitedAtSeconds            when the process was last seen, for a process that exited; NaN while it runs
 * @param pooled                     per resource (private bytes, handles): the verdict continued earlier lives, so
 *                                   its state belongs to the service rather than to this process
 */
record LeakVerdict(ProcessInfo info, double coverageSeconds, double lastPrivateBytes, double lastHandles,
                   ResourceVerdict privateBytes, ResourceVerdict handles, double secondsUntilPhysicalMemory,
                   FloorHistory.Buckets history, List<PastLives.Life> earlierLives, double exitedAtSeconds, boolean[] pooled) {

    boolean suspect() {
        return privateBytes.suspect() || handles.suspect();
    }

    /** The resource the page leads with: handles when only they are suspect. */
    boolean handlesFirst() {
        return handles.suspect() && !privateBytes.suspect();
    }

    /** The verdict the page shows first (the suspect one, else private bytes). */
    ResourceVerdict leading() {
        return handlesFirst() ? handles : privateBytes;
    }

    LeakVerdict exited(double atSeconds) {
        return new LeakVerdict(info, coverageSeconds, lastPrivateBytes, lastHandles, privateBytes, handles, Double.NaN, history,
                earlierLives, atSeconds, pooled);
    }

    /** The same verdict with the newest samples (they move between bucket ends). */
    LeakVerdict withLatest(double newPrivateBytes, double newHandles, double newSecondsUntilPhysicalMemory) {
        return new LeakVerdict(info, coverageSeconds, newPrivateBytes, newHandles, privateBytes, handles,
                newSecondsUntilPhysicalMemory, history, earlierLives, exitedAtSeconds, pooled);
    }

    /** One word for tables and JSON: suspect, levelled-off, not-steady, stable or learning (the furthest either resource got). */
    String summary() {
        ResourceVerdict.Outcome furthest = privateBytes.outcome().compareTo(handles.outcome()) >= 0
                ? privateBytes.outcome() : handles.outcome();
        return furthest.word();
    }
}
