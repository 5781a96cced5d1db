package io.leakwatch.backend.windows;

/**
 * What needs a handle to the process: read once per process lifetime.
 *
 * @param owner   DOMAIN\account of the token's user; empty when access was denied
 * @param cmdline command line; empty when not asked for or not readable
 */
public record ProcessDetails(String owner, String cmdline) {
    public static final ProcessDetails EMPTY = new ProcessDetails("", "");

    public ProcessDetails {
        if (owner == null || cmdline == null) {
            throw new IllegalArgumentException("owner and cmdline must not be null");
        }
    }
}
