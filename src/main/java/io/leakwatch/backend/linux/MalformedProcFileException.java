package io.leakwatch.backend.linux;

/** A /proc file did not have the shape the kernel documents; the process is skipped and counted. */
public final class MalformedProcFileException extends RuntimeException {
    public MalformedProcFileException(String message) {
        super(message, null, false, false); // no stack trace: this is data, not a bug
    }
}
