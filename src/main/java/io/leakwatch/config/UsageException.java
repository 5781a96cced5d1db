package io.leakwatch.config;

/**
 * A mistake in the user's flags or config: reported as one line, exit code {@link #EXIT_CODE},
 * no stack trace.
 */
public final class UsageException extends Exception {
    /** The exit code of every user mistake (flags, config files, an address that cannot be bound). */
    public static final int EXIT_CODE = 2;

    public UsageException(String message) {
        super(message, null, false, false);
    }
}
