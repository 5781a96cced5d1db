package io.leakwatch.backend.windows;

/**
 * What needs a handle to the process: read once per process lifetime, and again (a bounded number
 * of times) for the parts that failed.
 *
 * @param owner          {@code account\domain} of the token's user, in windows_exporter's order (its
 *                       getProcessOwner writes account first, e.g. {@code SYSTEM\NT AUTHORITY}); the
 *                       SID string while no account name is known; empty when access was denied
 * @param cmdline        command line, cut and trimmed as windows_exporter makes it; empty when not asked
 *                       for or not readable
 * @param processGroupId RTL_USER_PROCESS_PARAMETERS.ProcessGroupId read through the PEB; 0 when not readable
 * @param unresolvedSid  the SID string while {@code owner} is not a name yet (the lookup failed or is
 *                       still running: ask {@link ProcessDetailsReader#accountName} again later); else ""
 * @param missing        the parts ({@link #OWNER}, {@link #CMDLINE}, {@link #GROUP}) whose read failed
 *                       in a way that may pass (a process still being set up, a transient error), as
 *                       opposed to what Windows refused for good (access denied), which is an answer
 */
public record ProcessDetails(String owner, String cmdline, long processGroupId, String unresolvedSid, int missing) {
    public static final int OWNER = 1;
    public static final int CMDLINE = 2;
    public static final int GROUP = 4;
    /** Nothing to read, for good: denied, gone, or a pid now used by another process. */
    public static final ProcessDetails EMPTY = new ProcessDetails("", "", 0, "", 0);
    /** Nothing read, and worth another try. */
    public static final ProcessDetails FAILED = new ProcessDetails("", "", 0, "", OWNER | CMDLINE | GROUP);

    public ProcessDetails {
        if (owner == null || cmdline == null || unresolvedSid == null) {
            throw new IllegalArgumentException("owner, cmdline and unresolvedSid must not be null");
        }
    }

    /** Complete details. */
    public ProcessDetails(String owner, String cmdline, long processGroupId, String unresolvedSid) {
        this(owner, cmdline, processGroupId, unresolvedSid, 0);
    }

    /** The same details with the owner's account name, once it is known. */
    public ProcessDetails withOwner(String accountName) {
        return new ProcessDetails(accountName, cmdline, processGroupId, "", missing);
    }

    /** These details with each part that was missing here taken from {@code again}, a later read. */
    public ProcessDetails completedBy(ProcessDetails again) {
        boolean owner = (missing & OWNER) != 0 && (again.missing & OWNER) == 0;
        boolean cmd = (missing & CMDLINE) != 0 && (again.missing & CMDLINE) == 0;
        boolean group = (missing & GROUP) != 0 && (again.missing & GROUP) == 0;
        return new ProcessDetails(owner ? again.owner : this.owner, cmd ? again.cmdline : cmdline,
                group ? again.processGroupId : processGroupId, owner ? again.unresolvedSid : unresolvedSid,
                missing & again.missing);
    }
}
