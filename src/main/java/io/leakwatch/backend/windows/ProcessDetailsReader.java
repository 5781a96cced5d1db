package io.leakwatch.backend.windows;

/** Reads owner, command line and process group of one process through a process handle (JNA on Windows, fakes in tests). */
public interface ProcessDetailsReader extends AutoCloseable {
    /**
     * Never throws for what the OS denies: access denied, a vanished process, or a pid reused by a
     * process with another CreateTime all give {@link ProcessDetails#EMPTY} (or partial details).
     * Never waits long on an account lookup: an owner whose name is not known yet comes back as
     * its SID string with {@link ProcessDetails#unresolvedSid()} set.
     *
     * @param createTime the CreateTime from the records, to check the handle is for the same process
     * @param cmdline    whether to read the command line at all
     */
    ProcessDetails read(long pid, long createTime, boolean cmdline);

    /** @return the owner label for {@code sid} once its account name is known, else null (cheap: a cache look-up) */
    default String accountName(String sid) {
        return null;
    }

    /** Frees caches and native buffers. */
    @Override
    void close();
}
