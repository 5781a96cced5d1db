package io.leakwatch.service;

import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.W32Service;
import com.sun.jna.platform.win32.W32ServiceManager;
import com.sun.jna.platform.win32.Win32Exception;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinReg;
import com.sun.jna.platform.win32.Winsvc;

import io.leakwatch.config.LogSettings;

import java.util.List;

/**
 * The thin SCM glue over jna-platform's Advapi32 and W32ServiceManager. Everything decided here is
 * decided in {@link ServiceDefinition}, {@link ServiceLifecycle} and {@link ServiceStatusTracker};
 * this class only makes the calls and closes every SC_HANDLE it opens.
 */
final class WindowsServiceControl implements ServiceControl {
    /** Restart 10 s after each of the first three failures; the failure count resets after a day. */
    private static final int RESTART_DELAY_MILLIS = 10_000;
    private static final int FAILURE_RESET_SECONDS = 24 * 60 * 60;
    private static final long STOP_TIMEOUT_MILLIS = 30_000;
    private static final String EVENT_SOURCE_KEY =
            "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\" + LogSettings.EVENT_SOURCE;

    // The SCM calls back into these from its own threads: keep them strongly reachable.
    private Winsvc.SERVICE_MAIN_FUNCTION serviceMain;
    private Winsvc.HandlerEx handler;

    @Override
    public void install(ServiceDefinition d) throws ServiceException {
        try (W32ServiceManager scm = openManager(Winsvc.SC_MANAGER_ALL_ACCESS, d.name())) {
            Winsvc.SC_HANDLE handle = Advapi32.INSTANCE.CreateService(scm.getHandle(), d.name(), d.displayName(),
                    Winsvc.SERVICE_ALL_ACCESS, WinNT.SERVICE_WIN32_OWN_PROCESS, WinNT.SERVICE_AUTO_START,
                    WinNT.SERVICE_ERROR_NORMAL, d.commandLine(), null, null, null, null, null); // LocalSystem
            if (handle == null) {
                throw new ServiceException(d.name(), Kernel32.INSTANCE.GetLastError());
            }
            try (W32Service service = new W32Service(handle)) {
                Winsvc.SERVICE_DESCRIPTION description = new Winsvc.SERVICE_DESCRIPTION();
                description.lpDescription = d.description();
                Advapi32.INSTANCE.ChangeServiceConfig2(handle, Winsvc.SERVICE_CONFIG_DESCRIPTION, description);
                Winsvc.SC_ACTION restart = new Winsvc.SC_ACTION();
                restart.type = Winsvc.SC_ACTION_RESTART;
                restart.delay = RESTART_DELAY_MILLIS;
                service.setFailureActions(List.of(restart, restart, restart), FAILURE_RESET_SECONDS, null, null);
                service.setFailureActionsFlag(true); // also restart when leakwatch reports STOPPED with an error
            }
        } catch (Win32Exception e) {
            throw new ServiceException(d.name(), e.getErrorCode());
        }
        registerEventSource();
    }

    /**
     * The service logs to the Application event log (--log.file=eventlog). As windows_exporter's
     * installer does, the source names EventCreate.exe as its message file, so Event Viewer shows
     * each message as it is instead of "the description for event ID 100 cannot be found".
     * Best effort: without it the events are still written.
     */
    private static void registerEventSource() {
        try {
            Advapi32Util.registryCreateKey(WinReg.HKEY_LOCAL_MACHINE, EVENT_SOURCE_KEY);
            Advapi32Util.registrySetExpandableStringValue(WinReg.HKEY_LOCAL_MACHINE, EVENT_SOURCE_KEY, "EventMessageFile",
                    "%SystemRoot%\\System32\\EventCreate.exe");
            Advapi32Util.registrySetIntValue(WinReg.HKEY_LOCAL_MACHINE, EVENT_SOURCE_KEY, "TypesSupported",
                    WinNT.EVENTLOG_ERROR_TYPE | WinNT.EVENTLOG_WARNING_TYPE | WinNT.EVENTLOG_INFORMATION_TYPE);
        } catch (Win32Exception e) {
            // the events are still written, with a note from Event Viewer
        }
    }

    private static void unregisterEventSource() {
        try {
            if (Advapi32Util.registryKeyExists(WinReg.HKEY_LOCAL_MACHINE, EVENT_SOURCE_KEY)) {
                Advapi32Util.registryDeleteKey(WinReg.HKEY_LOCAL_MACHINE, EVENT_SOURCE_KEY);
            }
        } catch (Win32Exception e) {
            // nothing else depends on it
        }
    }

    @Override
    public void uninstall(String name) throws ServiceException {
        try (W32ServiceManager scm = openManager(Winsvc.SC_MANAGER_ALL_ACCESS, name);
             W32Service service = scm.openService(name, WinNT.DELETE | Winsvc.SERVICE_STOP | Winsvc.SERVICE_QUERY_STATUS)) {
            if (service.queryStatus().dwCurrentState != Winsvc.SERVICE_STOPPED) {
                stopWithin(service, name);
            }
            if (!Advapi32.INSTANCE.DeleteService(service.getHandle())) {
                throw new ServiceException(name, Kernel32.INSTANCE.GetLastError());
            }
            unregisterEventSource();
        } catch (Win32Exception e) {
            throw new ServiceException(name, e.getErrorCode());
        }
    }

    @Override
    public void start(String name) throws ServiceException {
        try (W32ServiceManager scm = openManager(Winsvc.SC_MANAGER_CONNECT, name);
             W32Service service = scm.openService(name, Winsvc.SERVICE_START | Winsvc.SERVICE_QUERY_STATUS)) {
            try {
                service.startService(); // waits while START_PENDING; returns at once if already running
            } catch (Win32Exception e) {
                throw e;
            } catch (RuntimeException e) {
                // jna-platform's "Unable to start the service": the service stopped while starting
                int code = service.queryStatus().dwWin32ExitCode;
                throw new ServiceException(name, code == 0 ? ServiceErrors.SERVICE_SPECIFIC_ERROR : code);
            }
        } catch (Win32Exception e) {
            throw new ServiceException(name, e.getErrorCode());
        }
    }

    @Override
    public void stop(String name) throws ServiceException {
        try (W32ServiceManager scm = openManager(Winsvc.SC_MANAGER_CONNECT, name);
             W32Service service = scm.openService(name, Winsvc.SERVICE_STOP | Winsvc.SERVICE_QUERY_STATUS)) {
            stopWithin(service, name);
        } catch (Win32Exception e) {
            throw new ServiceException(name, e.getErrorCode());
        }
    }

    @Override
    public void run(String name, ServiceBody body) throws ServiceException {
        serviceMain = (argc, argv) -> {
            Winsvc.SERVICE_STATUS_HANDLE[] statusHandle = new Winsvc.SERVICE_STATUS_HANDLE[1];
            ServiceLifecycle lifecycle = new ServiceLifecycle(body, status -> report(statusHandle[0], status));
            handler = (control, eventType, eventData, context) -> lifecycle.onControl(control);
            statusHandle[0] = Advapi32.INSTANCE.RegisterServiceCtrlHandlerEx(name, handler, null);
            if (statusHandle[0] == null) {
                return; // the SCM sees the service exit without a status and applies its failure actions
            }
            lifecycle.serviceMain();
        };
        Winsvc.SERVICE_TABLE_ENTRY[] table = (Winsvc.SERVICE_TABLE_ENTRY[]) new Winsvc.SERVICE_TABLE_ENTRY().toArray(2);
        table[0].lpServiceName = name;
        table[0].lpServiceProc = serviceMain;
        // Blocks this thread until the service has stopped.
        if (!Advapi32.INSTANCE.StartServiceCtrlDispatcher(table)) {
            throw new ServiceException(name, Kernel32.INSTANCE.GetLastError());
        }
        System.exit(0); // the SCM has our STOPPED: end the process even if a library left a thread behind
    }

    /** W32Service.stopService throws a plain RuntimeException on timeout: make it a Win32-style error. */
    private static void stopWithin(W32Service service, String name) throws ServiceException {
        try {
            service.stopService(STOP_TIMEOUT_MILLIS);
        } catch (Win32Exception e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ServiceException(name, ServiceErrors.SERVICE_REQUEST_TIMEOUT);
        }
    }

    private static void report(Winsvc.SERVICE_STATUS_HANDLE handle, ServiceStatusTracker.Status s) {
        Winsvc.SERVICE_STATUS status = new Winsvc.SERVICE_STATUS();
        status.dwServiceType = WinNT.SERVICE_WIN32_OWN_PROCESS;
        status.dwCurrentState = s.state();
        status.dwControlsAccepted = s.controlsAccepted();
        status.dwWin32ExitCode = s.win32ExitCode();
        status.dwServiceSpecificExitCode = s.serviceSpecificExitCode();
        status.dwCheckPoint = s.checkPoint();
        status.dwWaitHint = s.waitHintMillis();
        Advapi32.INSTANCE.SetServiceStatus(handle, status);
    }

    private static W32ServiceManager openManager(int access, String name) throws ServiceException {
        W32ServiceManager scm = new W32ServiceManager();
        try {
            scm.open(access);
        } catch (Win32Exception e) {
            throw new ServiceException(name, e.getErrorCode());
        }
        return scm;
    }
}
