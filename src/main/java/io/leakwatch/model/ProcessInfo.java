package io.leakwatch.model;

/**
 * Identity of one process: the labels of {@code windows_process_info} plus the start time.
 * Built once per process lifetime (keyed by pid and start time) and reused across scrapes,
 * so a long-lived process costs no string work after its first scrape.
 *
 * @param name             image name (Windows: without ".exe"; Linux: comm, or argv[0]'s basename when comm was cut)
 * @param pid              process id
 * @param pidLabel         {@code pid} as the label string, cached to avoid formatting it every scrape
 * @param parentPid        id of the creating (Windows) or parent (Linux) process
 * @param processGroupId   Windows: RTL_USER_PROCESS_PARAMETERS.ProcessGroupId (0 when not readable); Linux: process group id
 * @param owner            account\domain (Windows, windows_exporter's order) or user name (Linux); empty when not readable
 * @param cmdline          command line; empty when not readable or when disabled
 * @param startTimeSeconds Unix time the process started, in seconds
 */
public record ProcessInfo(
        String name,
        long pid,
        String pidLabel,
        long parentPid,
        long processGroupId,
        String owner,
        String cmdline,
        double startTimeSeconds) {

    public ProcessInfo {
        if (name == null || owner == null || cmdline == null) {
            throw new IllegalArgumentException("name, owner and cmdline must not be null");
        }
    }

    public static ProcessInfo of(String name, long pid, long parentPid, long processGroupId,
                                 String owner, String cmdline, double startTimeSeconds) {
        return new ProcessInfo(name, pid, Long.toString(pid), parentPid, processGroupId, owner, cmdline, startTimeSeconds);
    }

    /** Same identity with the fields that may change during a lifetime (parent, group) updated. */
    public ProcessInfo withParentAndGroup(long newParentPid, long newProcessGroupId) {
        if (newParentPid == parentPid && newProcessGroupId == processGroupId) {
            return this;
        }
        return new ProcessInfo(name, pid, pidLabel, newParentPid, newProcessGroupId, owner, cmdline, startTimeSeconds);
    }
}
