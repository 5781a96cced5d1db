package io.leakwatch.service;

import com.sun.jna.platform.win32.WinError;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * ServiceMain and the control handler as plain Java: START_PENDING, start the exporter, RUNNING,
 * wait for STOP, SHUTDOWN or PRESHUTDOWN, STOP_PENDING, stop it, STOPPED. A start failure, an
 * {@link Error} included, reports STOPPED with an exit code, so the SCM's failure actions apply.
 *
 * <p>Thread-safety: ServiceMain runs on one SCM thread, the control handler on another and the
 * heartbeat on a third. Every status is computed and sent under one lock, and nothing is sent
 * once STOPPED has been: the SCM documents that a service must not call SetServiceStatus after
 * reporting SERVICE_STOPPED.
 */
public final class ServiceLifecycle {
    public static final int NO_ERROR = WinError.NO_ERROR;
    public static final int ERROR_CALL_NOT_IMPLEMENTED = WinError.ERROR_CALL_NOT_IMPLEMENTED;
    /** Exit code reported when starting threw instead of returning one. */
    public static final int EXIT_START_THREW = 1;
    /** Heartbeat period: well inside the wait hint, so a waiting caller always sees progress. */
    static final long DEFAULT_HEARTBEAT_MILLIS = 2_000;
    /** A start or stop still pending after this long is hung: stop the heartbeat and let the SCM time out. */
    static final long DEFAULT_MAX_PENDING_MILLIS = 5 * 60_000;

    private final ServiceBody body;
    private final Consumer<ServiceStatusTracker.Status> report;
    private final Consumer<String> errorLog;
    private final long heartbeatMillis;
    private final long maxPendingMillis;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoTime;
    private final ServiceStatusTracker tracker = new ServiceStatusTracker();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Object reportLock = new Object();
    private boolean stoppedReported; // guarded by reportLock
    private int lastPendingState = -1; // guarded by reportLock: the state the heartbeat last saw
    private long pendingSinceNanos; // guarded by reportLock

    /**
     * @param report   sends one status to the SCM (SetServiceStatus)
     * @param errorLog receives one line when starting or stopping throws (the service log)
     */
    public ServiceLifecycle(ServiceBody body, Consumer<ServiceStatusTracker.Status> report, Consumer<String> errorLog) {
        this(body, report, errorLog, DEFAULT_HEARTBEAT_MILLIS, DEFAULT_MAX_PENDING_MILLIS, null, System::nanoTime);
    }

    /**
     * @param scheduler runs the heartbeat; null: a thread of its own, for the service's life
     * @param nanoTime  the clock of the hang check
     */
    ServiceLifecycle(ServiceBody body, Consumer<ServiceStatusTracker.Status> report, Consumer<String> errorLog,
                     long heartbeatMillis, long maxPendingMillis, ScheduledExecutorService scheduler, LongSupplier nanoTime) {
        this.body = body;
        this.report = report;
        this.errorLog = errorLog;
        this.heartbeatMillis = heartbeatMillis;
        this.maxPendingMillis = maxPendingMillis;
        this.scheduler = scheduler;
        this.nanoTime = nanoTime;
    }

    /** The body of ServiceMain: returns when the service has stopped, whatever the body threw. */
    public void serviceMain() {
        ScheduledExecutorService beats = scheduler != null ? scheduler : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "leakwatch-service-heartbeat");
            t.setDaemon(true);
            return t;
        });
        ScheduledFuture<?> heartbeat = beats.scheduleWithFixedDelay(this::heartbeat, heartbeatMillis, heartbeatMillis,
                TimeUnit.MILLISECONDS);
        send(tracker::startPending);
        try {
            int code;
            try {
                code = body.start();
            } catch (Throwable e) { // NoClassDefFoundError, ExceptionInInitializerError, OOM: still report STOPPED
                errorLog.accept("leakwatch: could not start: " + e);
                code = EXIT_START_THREW;
            }
            if (code != 0) {
                int exitCode = code;
                send(() -> tracker.stopped(exitCode));
                return;
            }
            send(() -> tracker.stopRequested() ? null : tracker.running());
            awaitStopRequest();
            send(tracker::stopPending); // again, with the next checkpoint: stopping has begun
            try {
                body.stop();
            } catch (Throwable e) {
                errorLog.accept("leakwatch: while stopping: " + e);
            } finally {
                send(() -> tracker.stopped(0));
            }
        } finally {
            heartbeat.cancel(false);
            if (beats != scheduler) {
                beats.shutdown();
            }
        }
    }

    /** The body of HandlerEx: returns the Win32 code the handler must return. */
    public int onControl(int control) {
        synchronized (reportLock) {
            if (stoppedReported) {
                return NO_ERROR; // stopped: SetServiceStatus must not be called any more
            }
            switch (tracker.onControl(control)) {
                case STOP -> {
                    sendLocked(tracker.stopPending());
                    stopRequested.countDown();
                    return NO_ERROR;
                }
                case REPORT -> {
                    sendLocked(tracker.current());
                    return NO_ERROR;
                }
                default -> {
                    return ERROR_CALL_NOT_IMPLEMENTED;
                }
            }
        }
    }

    /** Computes the next status and sends it under the lock; a null status sends nothing. */
    private void send(Supplier<ServiceStatusTracker.Status> next) {
        synchronized (reportLock) {
            if (!stoppedReported) {
                ServiceStatusTracker.Status status = next.get();
                if (status != null) {
                    sendLocked(status);
                }
            }
        }
    }

    private void sendLocked(ServiceStatusTracker.Status status) {
        if (status.state() == ServiceStatusTracker.STOPPED) {
            stoppedReported = true;
        }
        report.accept(status);
    }

    private void awaitStopRequest() {
        boolean interrupted = false;
        while (true) {
            try {
                stopRequested.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the SCM decides when we stop, not an interrupt
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One heartbeat: bumps the checkpoint of START_PENDING and STOP_PENDING while they last, up to a
     * bound (a state pending longer than that is hung: the SCM must be let time out).
     */
    private void heartbeat() {
        synchronized (reportLock) {
            if (stoppedReported) {
                return;
            }
            long now = nanoTime.getAsLong();
            int state = tracker.current().state();
            if (state != lastPendingState) {
                lastPendingState = state;
                pendingSinceNanos = now;
            }
            boolean hung = now - pendingSinceNanos > TimeUnit.MILLISECONDS.toNanos(maxPendingMillis);
            ServiceStatusTracker.Status again = hung ? null : tracker.pendingAgain();
            if (again != null) {
                sendLocked(again);
            }
        }
    }
}
