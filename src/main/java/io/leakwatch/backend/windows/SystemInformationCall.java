package io.leakwatch.backend.windows;

import com.sun.jna.Pointer;

/**
 * NtQuerySystemInformation(SystemProcessInformation, ...) as one method, so the size negotiation
 * in {@link ProcessInformationBuffer} can be tested against a fake on Linux.
 */
@FunctionalInterface
public interface SystemInformationCall {
    /**
     * @param buffer       where the records go
     * @param bufferLength bytes available at {@code buffer}
     * @param returnLength receives a ULONG: bytes written, or bytes needed on STATUS_INFO_LENGTH_MISMATCH
     * @return the NTSTATUS
     */
    int querySystemProcessInformation(Pointer buffer, int bufferLength, Pointer returnLength);
}
