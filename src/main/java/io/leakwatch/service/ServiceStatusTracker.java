package io.leakwatch.service;

import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.Winsvc;

/**
 * What the service tells the Service Control Manager, as plain Java: the SCM glue turns each
 * {@link Status} into a SERVICE_STATUS and each control code into an {@link ControlAction}.
 * Pending states carry a checkpoint that grows with every report of the same state (the
 * heartbeat of {@link ServiceLifecycle}) and a wait hint, so the SCM and {@code service start}
 * see progress instead of a hang. Steady states accept STOP, SHUTDOWN and PRESHUTDOWN only while
 * running. Thread-safe: every method is synchronized.
 */
public final class ServiceStatusTracker {
    public static final int STOPPED = Winsvc.SERVICE_STOPPED;
    public static final int START_PENDING = Winsvc.SERVICE_START_PENDING;
    public static final int STOP_PENDING = Winsvc.SERVICE_STOP_PENDING;
    public static final int RUNNING = Winsvc.SERVICE_RUNNING;
    /** STOP, SHUTDOWN and PRESHUTDOWN: PRESHUTDOWN gives a reboot time to save the leak history. */
    public static final int ACCEPTED_WHILE_RUNNING =
            Winsvc.SERVICE_ACCEPT_STOP | Winsvc.SERVICE_ACCEPT_SHUTDOWN | Winsvc.SERVICE_ACCEPT_PRESHUTDOWN;
    public static final int CONTROL_STOP = Winsvc.SERVICE_CONTROL_STOP;
    public static final int CONTROL_INTERROGATE = Winsvc.SERVICE_CONTROL_INTERROGATE;
    public static final int CONTROL_SHUTDOWN = Winsvc.SERVICE_CONTROL_SHUTDOWN;
    public static final int CONTROL_PRESHUTDOWN = Winsvc.SERVICE_CONTROL_PRESHUTDOWN;
    public static final int ERROR_SERVICE_SPECIFIC_ERROR = WinError.ERROR_SERVICE_SPECIFIC_ERROR;
    static final int PENDING_WAIT_HINT_MILLIS = 15_000;

    /** One SERVICE_STATUS report. */
    public record Status(int state, int controlsAccepted, int win32ExitCode, int serviceSpecificExitCode,
                         int checkPoint, int waitHintMillis) {
        boolean pending() {
            return state == START_PENDING || state == STOP_PENDING;
        }
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
        return current = new Status(RUNNING, ACCEPTED_WHILE_RUNNING, 0, 0, 0, 0);
    }

    public synchronized Status stopPending() {
        return pending(STOP_PENDING);
    }

    /** The heartbeat: the current pending state again with the next checkpoint, or null when not pending. */
    public synchronized Status pendingAgain() {
        return current.pending() ? pending(current.state()) : null;
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
            case CONTROL_STOP, CONTROL_SHUTDOWN, CONTROL_PRESHUTDOWN ->
                    current.state() == RUNNING || current.state() == START_PENDING
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
