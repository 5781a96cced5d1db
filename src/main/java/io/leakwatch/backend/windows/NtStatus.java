package io.leakwatch.backend.windows;

/** The NTSTATUS values the backend reacts to. */
final class NtStatus {
    static final int SUCCESS = 0;
    static final int INFO_LENGTH_MISMATCH = 0xC0000004;
    static final int BUFFER_TOO_SMALL = 0xC0000023;
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
