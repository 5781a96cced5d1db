package io.leakwatch.backend.linux;

/**
 * The fields of /proc/PID/stat that leakwatch uses, raw (clock ticks, counts, bytes).
 * Field numbers are those of proc(5).
 */
record ProcStat(
        long pid,           // 1
        String comm,        // 2, raw bytes decoded as UTF-8 (invalid bytes replaced); null when not decoded
        int commByteLength, // comm's length in bytes: the kernel cuts it at 15
        char state,         // 3
        long parentPid,     // 4
        long processGroup,  // 5
        long flags,         // 9, the kernel's PF_* flags
        long minorFaults,   // 10
        long majorFaults,   // 12
        long userTicks,     // 14
        long systemTicks,   // 15
        long priority,      // 18
        long threads,       // 20
        long startTicks,    // 22, since boot
        long virtualBytes)  // 23
{
    /** PF_KTHREAD (include/linux/sched.h): a kernel thread, no user space of its own. */
    static final long PF_KTHREAD = 0x00200000L;

    boolean kernelThread() {
        return (flags & PF_KTHREAD) != 0;
    }
}
