package io.leakwatch.service;

import java.io.PrintStream;
import java.util.List;

/** The exporter as the service runs it. */
public interface ServiceBody {
    /** Starts the exporter; returns 0 once it serves, or its exit code when it could not start. */
    int start();

    /** Stops the server and the collection; returns when they are closed. */
    void stop();

    /** Makes the body for the service's flags, writing its output to the service log. */
    @FunctionalInterface
    interface Factory {
        ServiceBody create(List<String> flags, PrintStream log);
    }
}
