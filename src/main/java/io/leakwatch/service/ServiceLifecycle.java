package io.leakwatch.service;

import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * ServiceMain and the control handler as plain Java: START_PENDING, start the exporter, RUNNING,
 * wait for STOP or SHUTDOWN, STOP_PENDING, stop it, STOPPED. A start failure reports STOPPED
 * with the exit code, so the SCM's restart-on-failure applies.
 */
public final class ServiceLifecycle {
    public static final int NO_ERROR = 0;
    public static final int ERROR_CALL_NOT_IMPLEMENTED = 120;

    private final ServiceBody body;
    private final Consumer<ServiceStatusTracker.Status> report;
    private final ServiceStatusTracker tracker = new ServiceStatusTracker();
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    /** @param report sends one status to the SCM (SetServiceStatus) */
    public ServiceLifecycle(ServiceBody body, Consumer<ServiceStatusTracker.Status> report) {
        this.body = body;
        this.report = report;
    }

    /** The body of ServiceMain: returns when the service has stopped. */
    public void serviceMain() {
        report.accept(tracker.startPending());
        int code;
        try {
            code = body.start();
        } catch (RuntimeException e) {
            code = 1;
        }
        if (code != 0) {
            report.accept(tracker.stopped(code));
            return;
        }
        if (!tracker.stopRequested()) {
            report.accept(tracker.running());
        }
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        report.accept(tracker.stopPending());
        try {
            body.stop();
        } finally {
            report.accept(tracker.stopped(0));
        }
    }

    /** The body of HandlerEx: returns the Win32 code the handler must return. */
    public int onControl(int control) {
        switch (tracker.onControl(control)) {
            case STOP -> {
                report.accept(tracker.stopPending());
                stopRequested.countDown();
                return NO_ERROR;
            }
            case REPORT -> {
                report.accept(tracker.current());
                return NO_ERROR;
            }
            default -> {
                return ERROR_CALL_NOT_IMPLEMENTED;
            }
        }
    }
}
