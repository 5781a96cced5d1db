package io.leakwatch.leak;

/**
 * One life of one process as it goes to and comes from the state file.
 *
 * @param pid              process id
 * @param startTimeSeconds Unix start time: with the pid, tells a live process from a new one that reused the pid
 * @param name             process name (for a person reading the file)
 * @param service          its service identity (see {@link ServiceIdentity}); null when unknown
 * @param firstSample      first sample time (Unix seconds)
 * @param lastSample       newest sample time
 * @param lastPrivateBytes newest private bytes
 * @param lastHandles      newest handle count (NaN when unknown)
 * @param suspect          its verdict was suspect when saved (keeps the hysteresis across restarts)
 * @param ended            the process had exited: an earlier life of its service
 * @param buckets          the floors
 */
record SavedHistory(long pid, double startTimeSeconds, String name, ServiceIdentity service, double firstSample,
                    double lastSample, double lastPrivateBytes, double lastHandles, boolean suspect, boolean ended,
                    FloorHistory.Buckets buckets) {
}
