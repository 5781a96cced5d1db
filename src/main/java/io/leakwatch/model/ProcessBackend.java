package io.leakwatch.model;

/**
 * The one seam between an operating system and the metrics code. A backend reads raw OS data
 * and returns platform-neutral samples; it knows nothing about Prometheus.
 * Implementations are used from one thread at a time.
 */
public interface ProcessBackend extends AutoCloseable {

    /** Short name for logs and build info, e.g. "linux-procfs". */
    String name();

    /**
     * Reads every process whose name the backend's filter (given when it was built) selects. Must not
     * throw for anything it reads from the OS: a process that vanishes or whose data is malformed is
     * skipped and counted.
     *
     * @throws BackendException when the whole collection failed (for example the OS call itself failed)
     */
    ProcessSnapshot collect() throws BackendException;

    /** Frees native buffers and handles. */
    @Override
    void close();

    /** The whole collection failed; the scrape reports {@code windows_exporter_collector_success 0}. */
    final class BackendException extends Exception {
        public BackendException(String message) {
            super(message);
        }

        public BackendException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
