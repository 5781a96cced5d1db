package io.leakwatch.backend.windows;

/** Reads owner and command line of one process through a process handle (JNA on Windows, fakes in tests). */
public interface ProcessDetailsReader extends AutoCloseable {
    /**
     * Never throws for what the OS denies: access denied, a vanished process, or a pid reused by a
     * process with another CreateTime all give {@link ProcessDetails#EMPTY} (or partial details).
     *
     * @param createTime the CreateTime from the records, to check the handle is for the same process
     * @param cmdline    whether to read the command line at all
     */
    ProcessDetails read(long pid, long createTime, boolean cmdline);

    /** Frees caches and native buffers. */
    @Override
    void close();
}
