package io.leakwatch.backend.windows;

import com.sun.jna.platform.win32.NTStatus;

/** The NTSTATUS values the backend reacts to: jna-platform's NTStatus where it has them. */
final class NtStatus {
    static final int SUCCESS = NTStatus.STATUS_SUCCESS;
    static final int BUFFER_TOO_SMALL = NTStatus.STATUS_BUFFER_TOO_SMALL;
    /** Not in jna-platform's NTStatus. */
    static final int INFO_LENGTH_MISMATCH = 0xC0000004;
    /** Not in jna-platform's NTStatus. */
    static final int BUFFER_OVERFLOW = 0x80000005;

    private NtStatus() {
    }

    /** NT_SUCCESS(): success and informational codes are >= 0 as a signed 32-bit value. */
    static boolean isSuccess(int status) {
        return status >= 0;
    }

    static String hex(int status) {
        return String.format("0x%08X", status);
    }
}
