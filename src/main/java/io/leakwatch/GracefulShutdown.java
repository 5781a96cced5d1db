package io.leakwatch;

import org.slf4j.Logger;
import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * SIGTERM or Ctrl+C (SIGINT): stop accepting connections, let scrapes in flight finish (up to
 * the server's stop timeout), close the backend and its native buffers, exit 0. A second
 * signal while stopping exits at once with 128 + the signal number, as shells report it.
 *
 * <p>Every way of stopping (a signal, the Windows service's STOP or SHUTDOWN, the shutdown hook)
 * closes the exporter once, and every one of them returns only when that close has finished:
 * whoever loses the race waits for the winner. Otherwise a reboot, which sends a service both the
 * SCM's SHUTDOWN and (without -Xrs) a console SIGTERM, could report STOPPED or call System.exit
 * while the leak history was still being saved.
 */
final class GracefulShutdown {
    private final AutoCloseable exporter;
    private final Logger log;
    private final IntConsumer exit;
    private final IntConsumer halt;
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** Guarded by this: set by the first caller of closeOnce, before it closes. */
    private boolean closed;

    GracefulShutdown(AutoCloseable exporter, Logger log, IntConsumer exit, IntConsumer halt) {
        this.exporter = exporter;
        this.log = log;
        this.exit = exit;
        this.halt = halt;
    }

    /** @return closes the exporter once, whoever calls it first (signal, service control, shutdown hook) */
    static Runnable install(AutoCloseable exporter, Logger log, boolean handleSignals) {
        GracefulShutdown shutdown = new GracefulShutdown(exporter, log, System::exit, Runtime.getRuntime()::halt);
        for (String name : handleSignals ? new String[]{"TERM", "INT"} : new String[0]) {
            try {
                Signal.handle(new Signal(name), signal -> shutdown.onSignal(signal.getName(), signal.getNumber()));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.debug("cannot handle SIG{} here: {}", name, e.getMessage()); // -Xrs (the Windows service) owns them
            }
        }
        // Any other way the JVM ends (System.exit elsewhere, SIGHUP) still closes everything once.
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown::closeOnce, "leakwatch-shutdown-hook"));
        return shutdown::closeOnce;
    }

    void onSignal(String name, int number) {
        if (!stopping.compareAndSet(false, true)) {
            log.warn("second SIG{}: exiting without waiting", name);
            halt.accept(128 + number);
            return;
        }
        Thread stopper = new Thread(() -> {
            log.info("SIG{} received: finishing scrapes in flight, then stopping (send it again to exit at once)", name);
            closeOnce(); // returns only once the exporter is closed, even when another caller closes it
            log.info("stopped");
            exit.accept(0);
        }, "leakwatch-shutdown");
        // Signal handlers run on a daemon thread and new threads inherit that: a daemon stopper would let the
        // JVM end as soon as Jetty's threads are gone, before the leak history and the backend are closed.
        stopper.setDaemon(false);
        stopper.start();
    }

    /**
     * Closes the exporter, or waits until the caller that got here first has closed it: the lock is
     * held for the whole close, and waiting to enter it cannot be interrupted. Nothing that runs
     * under the lock (the exporter's close) calls System.exit or waits for another caller of this
     * method, so the shutdown hook waiting here cannot deadlock with it.
     */
    synchronized void closeOnce() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            exporter.close();
        } catch (Exception e) {
            log.warn("while stopping: {}", e.toString());
        }
    }
}
