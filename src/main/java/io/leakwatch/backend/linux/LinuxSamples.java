package io.leakwatch.backend.linux;

import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;

import static io.leakwatch.model.ProcessSample.ABSENT;

/** Maps what procfs says about one process onto the platform-neutral sample (compat.md's Linux table). */
final class LinuxSamples {
    private LinuxSamples() {
    }

    /**
     * @param io      null when /proc/PID/io is not readable with our rights
     * @param handles open descriptors, or ABSENT
     */
    static ProcessSample of(ProcessInfo info, ProcStat stat, ProcStatus status, ProcIo io, double handles,
                            double clockTicksPerSecond) {
        boolean hasMemory = status.hasAddressSpace(); // kernel threads have none: their memory is 0, not unknown
        double rss = hasMemory ? status.vmRssBytes() : 0;
        double hwm = hasMemory ? Math.max(0, status.vmHwmBytes()) : 0;
        double anon = hasMemory ? Math.max(0, status.rssAnonBytes()) : 0;
        double swap = hasMemory ? Math.max(0, status.vmSwapBytes()) : 0;
        return new ProcessSample(
                info,
                stat.userTicks() / clockTicksPerSecond,
                stat.systemTicks() / clockTicksPerSecond,
                handles,
                stat.threads(),
                stat.priority(),
                io == null ? ABSENT : io.readBytes(),
                io == null ? ABSENT : io.writeBytes(),
                ABSENT, // Linux has no "other" I/O
                io == null ? ABSENT : io.readCalls(),
                io == null ? ABSENT : io.writeCalls(),
                ABSENT,
                stat.minorFaults() + stat.majorFaults(),
                swap,
                ABSENT, // no kernel pool accounting per process on Linux
                ABSENT,
                anon + swap,
                stat.virtualBytes(),
                anon,
                hwm,
                rss);
    }
}
