package io.leakwatch.backend.windows;

import io.leakwatch.model.ProcessSample;

/** Windows time units: FILETIME (100 ns since 1601-01-01 UTC) and 100 ns durations. */
final class WindowsTime {
    /** 1970-01-01 minus 1601-01-01, in 100 ns units. */
    static final long UNIX_EPOCH_AS_FILETIME = 116_444_736_000_000_000L;
    private static final double TICKS_PER_SECOND = 10_000_000.0;

    private WindowsTime() {
    }

    /** Unix seconds; ABSENT for 0 or a time before 1970 (the Idle process has CreateTime 0). */
    static double unixSeconds(long fileTime) {
        if (fileTime <= UNIX_EPOCH_AS_FILETIME) {
            return ProcessSample.ABSENT;
        }
        return (fileTime - UNIX_EPOCH_AS_FILETIME) / TICKS_PER_SECOND;
    }

    static double seconds(long hundredNanoseconds) {
        return hundredNanoseconds / TICKS_PER_SECOND;
    }
}
