package io.leakwatch.service;

import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.Winsvc;
import io.leakwatch.logging.LogSettings;

import java.util.List;
import java.util.function.Consumer;

/**
 * The service operations as decisions over {@link Scm} calls, in plain Java: what an install
 * configures (and undoes when a step fails), how long to wait for a pending state, and what a
 * wait that ends pending means.
 */
final class WindowsServiceControl implements ServiceControl {
    /**
     * Restart 10 s after each of the first three failures, then nothing: the SCM repeats the last
     * action for every further failure, so without the final "none" a service that cannot start
     * (a port in use) would be restarted every 10 s forever. The count resets after a day.
     */
    static final List<Scm.FailureAction> FAILURE_ACTIONS = List.of(
            new Scm.FailureAction(Winsvc.SC_ACTION_RESTART, 10_000),
            new Scm.FailureAction(Winsvc.SC_ACTION_RESTART, 10_000),
            new Scm.FailureAction(Winsvc.SC_ACTION_RESTART, 10_000),
            new Scm.FailureAction(Winsvc.SC_ACTION_NONE, 0));
    static final int FAILURE_RESET_SECONDS = 24 * 60 * 60;
    /**
     * The only privileges the service token keeps: SeDebugPrivilege opens other users' processes
     * for owner, command line and process group; SeChangeNotifyPrivilege is needed to traverse folders.
     */
    static final List<String> REQUIRED_PRIVILEGES = List.of(WinNT.SE_DEBUG_NAME, WinNT.SE_CHANGE_NOTIFY_NAME);
    /** A stop that keeps reporting progress is still bounded by this. */
    static final long MAX_WAIT_MILLIS = 10 * 60_000;

    /** Time for the waits; tests pass one that moves a fake SCM forward. */
    interface Clock {
        long millis();

        void sleep(long millis) throws InterruptedException;
    }

    private static final Clock SYSTEM_CLOCK = new Clock() {
        @Override
        public long millis() {
            return System.nanoTime() / 1_000_000;
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }
    };

    private final Scm scm;
    private final Clock clock;
    private final Consumer<String> errorLog;
    private final boolean exitWhenDispatched;

    WindowsServiceControl() {
        this(new JnaScm(), SYSTEM_CLOCK, line -> System.err.println(line), true);
    }

    WindowsServiceControl(Scm scm, Clock clock, Consumer<String> errorLog, boolean exitWhenDispatched) {
        this.scm = scm;
        this.clock = clock;
        this.errorLog = errorLog;
        this.exitWhenDispatched = exitWhenDispatched;
    }

    @Override
    public void install(ServiceDefinition d) throws ServiceException {
        try (Scm.Service service = scm.create(d)) {
            try {
                service.setDescription(d.description());
                service.setFailureActions(FAILURE_ACTIONS, FAILURE_RESET_SECONDS);
                service.setFailureActionsOnNonCrashFailures(true); // also when leakwatch reports STOPPED with an error
                // as windows_exporter's installer: a JVM starting among the boot-time services risks the 30 s limit
                service.setDelayedAutoStart(true);
                service.setRequiredPrivileges(REQUIRED_PRIVILEGES);
            } catch (ServiceException e) {
                // Half a service (no restart policy, all of LocalSystem's privileges) is worse than none.
                String undone;
                try {
                    service.delete();
                    undone = "the service was removed again";
                } catch (ServiceException deleteFailed) {
                    undone = "and removing it failed too (Win32 error " + deleteFailed.win32Error()
                            + "): run 'leakwatch service uninstall'";
                }
                throw new ServiceException("configuring service '" + d.name() + "' failed: " + e.getMessage()
                        + "; " + undone, e.win32Error(), false);
            }
        }
        scm.registerEventSource(LogSettings.EVENT_SOURCE); // the service logs to the event log by default
    }

    @Override
    public void uninstall(String name) throws ServiceException {
        try (Scm.Service service = scm.open(name, WinNT.DELETE | Winsvc.SERVICE_STOP | Winsvc.SERVICE_QUERY_STATUS)) {
            stopAndWait(service, name); // returns at once when it is already stopped
            service.delete();
        }
        scm.unregisterEventSource(LogSettings.EVENT_SOURCE);
    }

    @Override
    public void start(String name) throws ServiceException {
        try (Scm.Service service = scm.open(name, Winsvc.SERVICE_START | Winsvc.SERVICE_QUERY_STATUS)) {
            Scm.Status status = waitWhilePending(service);
            if (status.state() == Winsvc.SERVICE_RUNNING) {
                return;
            }
            long launchWait = scm.servicesPipeTimeoutMillis();
            try {
                service.start();
            } catch (ServiceException e) {
                throw explained(name, e, launchWait);
            }
            status = waitWhilePending(service);
            switch (status.state()) {
                case Winsvc.SERVICE_RUNNING -> {
                }
                case Winsvc.SERVICE_START_PENDING -> throw new ServiceException(launching(status)
                        ? "service '" + name + "' has not reported since Windows started it " + seconds(launchWait)
                        + " s ago: java.exe did not start leakwatch in that time (see leakwatch.log, and the"
                        + " Application event log for Service Control Manager events 7000 and 7009)"
                        : "service '" + name + "' is still starting but has reported no progress for "
                        + seconds(status.waitHintMillis()) + " s; 'sc query " + name
                        + "' shows its state and leakwatch.log what it is doing",
                        ServiceErrors.SERVICE_REQUEST_TIMEOUT, true);
                default -> {
                    int code = status.win32ExitCode();
                    if (code == ServiceErrors.PROCESS_ABORTED) {
                        throw new ServiceException(ServiceErrors.javaEnded(), code, true);
                    }
                    if (code == 0 || code == ServiceErrors.SERVICE_SPECIFIC_ERROR) {
                        throw new ServiceException(ServiceErrors.stoppedWhileStarting(status.serviceSpecificExitCode()),
                                ServiceErrors.SERVICE_SPECIFIC_ERROR, true);
                    }
                    throw new ServiceException(name, code);
                }
            }
        }
    }

    /** What StartService's own errors mean for a service that is a java.exe command line. */
    private ServiceException explained(String name, ServiceException e, long launchWaitMillis) {
        int code = e.win32Error();
        if (code == ServiceErrors.FILE_NOT_FOUND || code == ServiceErrors.PATH_NOT_FOUND) {
            String program;
            try {
                program = WindowsCommandLine.split(scm.commandLine(name)).get(0);
            } catch (ServiceException | RuntimeException unreadable) {
                program = "the program";
            }
            return new ServiceException("Windows cannot find " + program + ", the Java the service runs: a Java update may"
                    + " have removed its folder. Run 'leakwatch service uninstall', then 'leakwatch service install' with a"
                    + " Java that stays (a jre folder next to leakwatch.jar is used first)", code, true);
        }
        if (code == ServiceErrors.SERVICE_REQUEST_TIMEOUT) {
            return new ServiceException(ServiceErrors.didNotConnect(seconds(launchWaitMillis)), code, true);
        }
        return e;
    }

    @Override
    public String commandLine(String name) throws ServiceException {
        return scm.commandLine(name);
    }

    @Override
    public void stop(String name) throws ServiceException {
        try (Scm.Service service = scm.open(name, Winsvc.SERVICE_STOP | Winsvc.SERVICE_QUERY_STATUS)) {
            stopAndWait(service, name);
        }
    }

    @Override
    public void run(String name, ServiceBody body) throws ServiceException {
        // Blocks this thread until the service has stopped.
        scm.dispatch(name, reporter -> new ServiceLifecycle(body, reporter, errorLog));
        if (exitWhenDispatched) {
            System.exit(0); // the SCM has our STOPPED: end the process even if a library left a thread behind
        }
    }

    private void stopAndWait(Scm.Service service, String name) throws ServiceException {
        Scm.Status status = waitWhilePending(service);
        if (status.state() == Winsvc.SERVICE_STOPPED) {
            return;
        }
        service.stop();
        status = waitWhilePending(service);
        if (status.state() != Winsvc.SERVICE_STOPPED) {
            throw new ServiceException("service '" + name + "' is still stopping but has reported no progress for "
                    + seconds(status.waitHintMillis()) + " s", ServiceErrors.SERVICE_REQUEST_TIMEOUT, true);
        }
    }

    /**
     * Waits while the service is START_PENDING or STOP_PENDING, as the SCM documentation's sample
     * does: poll every tenth of the wait hint (1 to 10 s), and give up only when the checkpoint has
     * not moved for a whole wait hint. Until the service's own first report (START_PENDING with
     * checkpoint 0: what the SCM sets when StartService returns, before ServiceMain has run), the
     * wait hint is the SCM's 2 s default and says nothing about Java's start-up: that phase is
     * waited for as long as Windows waits for a service process (ServicesPipeTimeout). Returns the
     * last status, still pending if it gave up.
     */
    private Scm.Status waitWhilePending(Scm.Service service) throws ServiceException {
        Scm.Status status = service.status();
        long launchWaitMillis = scm.servicesPipeTimeoutMillis();
        long start = clock.millis();
        long progressAt = start;
        int checkPoint = status.checkPoint();
        while (pending(status.state())) {
            long now = clock.millis();
            if (status.checkPoint() != checkPoint) {
                checkPoint = status.checkPoint();
                progressAt = now;
            } else if (launching(status) ? now - start > launchWaitMillis
                    : now - progressAt > Math.max(status.waitHintMillis(), 1_000) || now - start > MAX_WAIT_MILLIS) {
                return status;
            }
            try {
                clock.sleep(Math.min(10_000, Math.max(1_000, status.waitHintMillis() / 10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return status;
            }
            status = service.status();
        }
        return status;
    }

    /** START_PENDING as the SCM set it: the service process has not reported yet (its own checkpoints start at 1). */
    private static boolean launching(Scm.Status status) {
        return status.state() == Winsvc.SERVICE_START_PENDING && status.checkPoint() == 0;
    }

    private static boolean pending(int state) {
        return state == Winsvc.SERVICE_START_PENDING || state == Winsvc.SERVICE_STOP_PENDING
                || state == Winsvc.SERVICE_CONTINUE_PENDING || state == Winsvc.SERVICE_PAUSE_PENDING;
    }

    private static long seconds(long millis) {
        return Math.round(Math.max(millis, 1_000) / 1000.0); // at least 1: the hint counts as 1 s or more
    }
}
