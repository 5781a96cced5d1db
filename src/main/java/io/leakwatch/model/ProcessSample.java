package io.leakwatch.model;

/**
 * One process's measurements at one instant, in platform-neutral units (bytes, seconds, counts).
 * A value the backend cannot read on this OS or with its permissions is {@link #ABSENT} (NaN),
 * and the metrics layer omits it instead of reporting a fake 0.
 */
public record ProcessSample(
        ProcessInfo info,
        double cpuUserSeconds,
        double cpuPrivilegedSeconds,
        double handles,
        double threads,
        double priorityBase,
        double ioReadBytes,
        double ioWriteBytes,
        double ioOtherBytes,
        double ioReadOperations,
        double ioWriteOperations,
        double ioOtherOperations,
        double pageFaults,
        double pageFileBytes,
        double poolPagedBytes,
        double poolNonpagedBytes,
        double privateBytes,
        double virtualBytes,
        double workingSetPrivateBytes,
        double workingSetPeakBytes,
        double workingSetBytes) {

    /** Marker for "no source for this value here". */
    public static final double ABSENT = Double.NaN;

    public static boolean isPresent(double value) {
        return !Double.isNaN(value);
    }

    /** The same measurements under another identity (e.g. with the command line redacted). */
    public ProcessSample withInfo(ProcessInfo newInfo) {
        return new ProcessSample(newInfo, cpuUserSeconds, cpuPrivilegedSeconds, handles, threads, priorityBase,
                ioReadBytes, ioWriteBytes, ioOtherBytes, ioReadOperations, ioWriteOperations, ioOtherOperations,
                pageFaults, pageFileBytes, poolPagedBytes, poolNonpagedBytes, privateBytes, virtualBytes,
                workingSetPrivateBytes, workingSetPeakBytes, workingSetBytes);
    }
}
