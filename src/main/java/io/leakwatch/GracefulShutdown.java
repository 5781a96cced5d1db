package io.leakwatch;

import org.slf4j.Logger;
import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGTERM or Ctrl+C (SIGINT): stop accepting connections, let scrapes in flight finish (up to
 * the server's stop timeout), close the backend and its native buffers, exit 0. A second
 * signal while stopping exits at once with 128 + the signal number, as shells report it.
 */
final class GracefulShutdown {
    private final AutoCloseable exporter;
    private final Logger log;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private GracefulShutdown(AutoCloseable exporter, Logger log) {
        this.exporter = exporter;
        this.log = log;
    }

    /** @return closes the exporter once, whoever calls it first (signal, service control, shutdown hook) */
    static Runnable install(AutoCloseable exporter, Logger log) {
        GracefulShutdown shutdown = new GracefulShutdown(exporter, log);
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), shutdown::onSignal);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.debug("cannot handle SIG{} here: {}", name, e.getMessage());
            }
        }
        // Any other way the JVM ends (System.exit elsewhere, SIGHUP) still closes everything once.
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown::closeOnce, "leakwatch-shutdown-hook"));
        return shutdown::closeOnce;
    }

    private void onSignal(Signal signal) {
        if (!stopping.compareAndSet(false, true)) {
            log.warn("second SIG{}: exiting without waiting", signal.getName());
            Runtime.getRuntime().halt(128 + signal.getNumber());
            return;
        }
        Thread stopper = new Thread(() -> {
            log.info("SIG{} received: finishing scrapes in flight, then stopping (send it again to exit at once)",
                    signal.getName());
            closeOnce();
            log.info("stopped");
            System.exit(0);
        }, "leakwatch-shutdown");
        // Signal handlers run on a daemon thread and new threads inherit that: a daemon stopper would let the
        // JVM end as soon as Jetty's threads are gone, before the leak history and the backend are closed.
        stopper.setDaemon(false);
        stopper.start();
    }

    private void closeOnce() {
        if (closed.compareAndSet(false, true)) {
            try {
                exporter.close();
            } catch (Exception e) {
                log.warn("while stopping: {}", e.toString());
            }
        }
    }
}
