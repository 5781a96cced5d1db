package io.leakwatch.config;

/**
 * A mistake in the user's flags or config: reported as one line, exit code 2, no stack trace.
 */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message, null, false, false);
    }
}
