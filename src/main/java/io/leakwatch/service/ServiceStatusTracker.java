package io.leakwatch.service;

/**
 * What the service tells the Service Control Manager, as plain Java: the SCM glue turns each
 * {@link Status} into a SERVICE_STATUS and each control code into an {@link ControlAction}.
 * Pending states carry an increasing checkpoint and a wait hint so the SCM does not give up on
 * a slow start or stop; steady states accept STOP and SHUTDOWN only while running.
 */
public final class ServiceStatusTracker {
    // Values from winsvc.h
    public static final int STOPPED = 1;
    public static final int START_PENDING = 2;
    public static final int STOP_PENDING = 3;
    public static final int RUNNING = 4;
    public static final int ACCEPT_STOP = 0x1;
    public static final int ACCEPT_SHUTDOWN = 0x4;
    public static final int CONTROL_STOP = 1;
    public static final int CONTROL_INTERROGATE = 4;
    public static final int CONTROL_SHUTDOWN = 5;
    public static final int ERROR_SERVICE_SPECIFIC_ERROR = 1066;
    static final int PENDING_WAIT_HINT_MILLIS = 15_000;

    /** One SERVICE_STATUS report. */
    public record Status(int state, int controlsAccepted, int win32ExitCode, int serviceSpecificExitCode,
                         int checkPoint, int waitHintMillis) {
    }

    /** What a control code asks of the service. */
    public enum ControlAction {
        /** Begin stopping: report STOP_PENDING now, STOPPED when done. */
        STOP,
        /** Report the current status again. */
        REPORT,
        /** Not a control this service handles: answer ERROR_CALL_NOT_IMPLEMENTED. */
        NOT_IMPLEMENTED
    }

    private Status current = new Status(STOPPED, 0, 0, 0, 0, 0);
    private int checkPoint;

    public synchronized Status startPending() {
        return pending(START_PENDING);
    }

    public synchronized Status running() {
        checkPoint = 0;
        return current = new Status(RUNNING, ACCEPT_STOP | ACCEPT_SHUTDOWN, 0, 0, 0, 0);
    }

    public synchronized Status stopPending() {
        return pending(STOP_PENDING);
    }

    /**
     * @param exitCode leakwatch's exit code: non-zero reports ERROR_SERVICE_SPECIFIC_ERROR with it,
     *                 which makes the SCM apply the restart-on-failure actions
     */
    public synchronized Status stopped(int exitCode) {
        checkPoint = 0;
        return current = exitCode == 0
                ? new Status(STOPPED, 0, 0, 0, 0, 0)
                : new Status(STOPPED, 0, ERROR_SERVICE_SPECIFIC_ERROR, exitCode, 0, 0);
    }

    public synchronized Status current() {
        return current;
    }

    public synchronized boolean stopRequested() {
        return current.state() == STOP_PENDING || current.state() == STOPPED;
    }

    /** Decides what a control code means in the current state; a repeated STOP is just reported. */
    public synchronized ControlAction onControl(int control) {
        return switch (control) {
            case CONTROL_STOP, CONTROL_SHUTDOWN -> current.state() == RUNNING || current.state() == START_PENDING
                    ? ControlAction.STOP : ControlAction.REPORT;
            case CONTROL_INTERROGATE -> ControlAction.REPORT;
            default -> ControlAction.NOT_IMPLEMENTED;
        };
    }

    private Status pending(int state) {
        if (current.state() != state) {
            checkPoint = 0;
        }
        checkPoint++;
        return current = new Status(state, 0, 0, 0, checkPoint, PENDING_WAIT_HINT_MILLIS);
    }
}
