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
 * @param memory           the state of its private-bytes verdict: suspect or not, and the confirmation streaks
 * @param handles          the same for handles
 * @param overlapped       other processes of its service ran beside it (a pool)
 * @param ended            the process had exited: an earlier life of its service
 * @param passes           for an ended life: its service's next life continues these verdicts
 * @param buckets          the floors
 * @param coarse           the coarse floors (the daily lows' rule); empty for ended lives
 */
record SavedHistory(long pid, double startTimeSeconds, String name, ServiceIdentity service, double firstSample,
                    double lastSample, double lastPrivateBytes, double lastHandles, ResourceVerdict.History memory,
                    ResourceVerdict.History handles, boolean overlapped, boolean ended, boolean passes,
                    FloorHistory.Buckets buckets, FloorHistory.Buckets coarse) {
    /** A history with no verdict state but its suspect flag (what an older file held). */
    SavedHistory(long pid, double startTimeSeconds, String name, ServiceIdentity service, double firstSample, double lastSample,
                 double lastPrivateBytes, double lastHandles, boolean suspect, boolean ended, FloorHistory.Buckets buckets) {
        this(pid, startTimeSeconds, name, service, firstSample, lastSample, lastPrivateBytes, lastHandles,
                suspect ? new ResourceVerdict.History(true, ResourceVerdict.History.WINDOW, 0, 0, 0, Long.MIN_VALUE, Long.MIN_VALUE)
                        : ResourceVerdict.History.NONE, ResourceVerdict.History.NONE, false, ended, false, buckets,
                FloorHistory.Buckets.EMPTY);
    }

    /** Either resource was a suspect. */
    boolean suspect() {
        return memory.wasSuspect() || handles.wasSuspect();
    }
}
