package io.leakwatch.service;

/** The exporter as the service runs it. */
public interface ServiceBody {
    /** Starts the exporter; returns 0 once it serves, or its exit code when it could not start. */
    int start();

    /** Stops the server and the collection; returns when they are closed. */
    void stop();
}
