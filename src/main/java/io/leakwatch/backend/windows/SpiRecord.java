package io.leakwatch.backend.windows;

/**
 * One SYSTEM_PROCESS_INFORMATION record as the kernel wrote it: raw units (bytes, counts,
 * 100 ns intervals). Unsigned 64-bit fields are kept in a long; values above 2^63 do not occur.
 *
 * @param imageName ImageName as written, e.g. "svchost.exe"; null when the pointer is NULL (PID 0)
 */
public record SpiRecord(
        long pid,
        long parentPid,
        String imageName,
        long threads,
        long workingSetPrivateSize,
        long createTime,
        long userTime,
        long kernelTime,
        int basePriority,
        long handleCount,
        long sessionId,
        long virtualSize,
        long pageFaultCount,
        long peakWorkingSetSize,
        long workingSetSize,
        long quotaPagedPoolUsage,
        long quotaNonPagedPoolUsage,
        long pagefileUsage,
        long privatePageCount,
        long readOperationCount,
        long writeOperationCount,
        long otherOperationCount,
        long readTransferCount,
        long writeTransferCount,
        long otherTransferCount) {
}
