package io.leakwatch.leak;

import io.leakwatch.model.ProcessInfo;

/**
 * Everything leak detection says about one process at one moment.
 *
 * @param info                         identity and labels
 * @param coverageSeconds              how much of the window the history covers
 * @param lastPrivateBytes             newest private bytes sample
 * @param lastHandles                  newest handle count (NaN when not readable)
 * @param privateBytes                 verdict on the private-bytes floor
 * @param handles                      verdict on the handle floor
 * @param secondsUntilPhysicalMemory   at the floor's growth rate, seconds until private bytes reach the host's
 *                                     physical memory; NaN when the floor is not growing
 * @param history                      the bucket floors behind the verdict
 */
record LeakVerdict(ProcessInfo info, double coverageSeconds, double lastPrivateBytes, double lastHandles,
                   ResourceVerdict privateBytes, ResourceVerdict handles, double secondsUntilPhysicalMemory,
                   FloorHistory.Buckets history) {

    boolean suspect() {
        return privateBytes.suspect() || handles.suspect();
    }

    /** One word for tables and JSON: suspect, not-steady, stable or learning (the furthest either resource got). */
    String summary() {
        ResourceVerdict.Outcome furthest = privateBytes.outcome().compareTo(handles.outcome()) >= 0
                ? privateBytes.outcome() : handles.outcome();
        return furthest.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
