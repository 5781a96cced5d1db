package io.leakwatch.leak;

/**
 * One process's history as it goes to and comes from the state file.
 *
 * @param pid              process id
 * @param startTimeSeconds Unix start time: with the pid, tells a live process from a new one that reused the pid
 * @param name             process name (for a person reading the file)
 * @param firstSample      first sample time (Unix seconds)
 * @param lastSample       newest sample time
 * @param lastPrivateBytes newest private bytes
 * @param lastHandles      newest handle count (NaN when unknown)
 * @param buckets          the floors
 */
record SavedHistory(long pid, double startTimeSeconds, String name, double firstSample, double lastSample,
                    double lastPrivateBytes, double lastHandles, FloorHistory.Buckets buckets) {
}
