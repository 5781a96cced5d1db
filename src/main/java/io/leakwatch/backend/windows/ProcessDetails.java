package io.leakwatch.backend.windows;

/**
 * What needs a handle to the process: read once per process lifetime.
 *
 * @param owner          {@code account\domain} of the token's user, in windows_exporter's order (its
 *                       getProcessOwner writes account first, e.g. {@code SYSTEM\NT AUTHORITY}); the
 *                       SID string while no account name is known; empty when access was denied
 * @param cmdline        command line, trimmed as windows_exporter trims it; empty when not asked for or not readable
 * @param processGroupId RTL_USER_PROCESS_PARAMETERS.ProcessGroupId read through the PEB; 0 when not readable
 * @param unresolvedSid  the SID string while {@code owner} is not a name yet (the lookup failed or is
 *                       still running: ask {@link ProcessDetailsReader#accountName} again later); else ""
 */
public record ProcessDetails(String owner, String cmdline, long processGroupId, String unresolvedSid) {
    public static final ProcessDetails EMPTY = new ProcessDetails("", "", 0, "");

    public ProcessDetails {
        if (owner == null || cmdline == null || unresolvedSid == null) {
            throw new IllegalArgumentException("owner, cmdline and unresolvedSid must not be null");
        }
    }

    /** The same details with the owner's account name, once it is known. */
    public ProcessDetails withOwner(String accountName) {
        return new ProcessDetails(accountName, cmdline, processGroupId, "");
    }
}
