package io.leakwatch.service;

import io.leakwatch.service.ServiceControl.ServiceException;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Service Control Manager calls leakwatch makes, one method per call: {@link JnaScm} on
 * Windows, a fake in tests. Everything decided around these calls (what to install, rolling back a
 * half-done install, waiting for a pending state, what a timeout means) is in
 * {@link WindowsServiceControl}, in plain Java.
 */
interface Scm {
    /** OpenSCManager + CreateService: own process, automatic start, LocalSystem. */
    Service create(ServiceDefinition definition) throws ServiceException;

    /**
     * How long Windows waits for a service process to connect after starting it (the registry
     * value HKLM\SYSTEM\CurrentControlSet\Control\ServicesPipeTimeout, 30 s when unset).
     */
    int servicesPipeTimeoutMillis();

    /** The service's registered command line (its ImagePath), as the SCM keeps it in the registry. */
    String commandLine(String name) throws ServiceException;

    /** OpenSCManager + OpenService with {@code access} (Winsvc.SERVICE_* rights). */
    Service open(String name, int access) throws ServiceException;

    /**
     * StartServiceCtrlDispatcher: blocks until the service has stopped. On the SCM's thread it
     * registers the control handler and runs the lifecycle that {@code lifecycle} builds around the
     * SetServiceStatus reporter it is given.
     */
    void dispatch(String name, Function<Consumer<ServiceStatusTracker.Status>, ServiceLifecycle> lifecycle)
            throws ServiceException;

    /**
     * Registers {@code source} in the Application event log, naming EventCreate.exe as its message
     * file as windows_exporter's installer does, so Event Viewer shows each message as written.
     * Best effort: without it the events are still written, with a note from Event Viewer.
     */
    void registerEventSource(String source);

    /** Removes what {@link #registerEventSource} made; best effort. */
    void unregisterEventSource(String source);

    /** One action of SERVICE_FAILURE_ACTIONS (Winsvc.SC_ACTION_*). */
    record FailureAction(int type, int delayMillis) {
    }

    /** What QueryServiceStatusEx says. */
    record Status(int state, int win32ExitCode, int serviceSpecificExitCode, int checkPoint, int waitHintMillis) {
    }

    /** An open service handle; closing it closes the SC_HANDLEs. */
    interface Service extends AutoCloseable {
        /** ChangeServiceConfig2(SERVICE_CONFIG_DESCRIPTION). */
        void setDescription(String description) throws ServiceException;

        /** ChangeServiceConfig2(SERVICE_CONFIG_FAILURE_ACTIONS). */
        void setFailureActions(List<FailureAction> actions, int resetPeriodSeconds) throws ServiceException;

        /** ChangeServiceConfig2(SERVICE_CONFIG_FAILURE_ACTIONS_FLAG): also act when the service reports an error exit. */
        void setFailureActionsOnNonCrashFailures(boolean enabled) throws ServiceException;

        /** ChangeServiceConfig2(SERVICE_CONFIG_DELAYED_AUTO_START_INFO): an automatic start about two minutes after boot. */
        void setDelayedAutoStart(boolean delayed) throws ServiceException;

        /** ChangeServiceConfig2(SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO): the token keeps only these privileges. */
        void setRequiredPrivileges(List<String> privileges) throws ServiceException;

        /** QueryServiceStatusEx. */
        Status status() throws ServiceException;

        /** StartService, without waiting. */
        void start() throws ServiceException;

        /** ControlService(SERVICE_CONTROL_STOP), without waiting. */
        void stop() throws ServiceException;

        /** DeleteService. */
        void delete() throws ServiceException;

        @Override
        void close();
    }
}
