package io.leakwatch.backend.linux;

/**
 * The lines of /proc/PID/status that leakwatch uses, in bytes; -1 when the line is missing
 * (kernel threads and zombies have no Vm* lines: they have no user address space).
 */
record ProcStatus(long vmRssBytes, long vmHwmBytes, long rssAnonBytes, long vmSwapBytes, long realUid) {
    boolean hasAddressSpace() {
        return vmRssBytes >= 0;
    }
}
