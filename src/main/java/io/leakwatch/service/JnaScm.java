package io.leakwatch.service;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Win32Exception;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinReg;
import com.sun.jna.platform.win32.Winsvc;
import com.sun.jna.ptr.IntByReference;
import io.leakwatch.service.ServiceControl.ServiceException;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * {@link Scm} over jna-platform's Advapi32 mappings, every call made here directly. Error codes
 * come from {@link Native#getLastError()}, which JNA saves right after each call; jna-platform's
 * W32Service and W32ServiceManager read Kernel32.GetLastError() later, after other code may have
 * reset it, so they are not used. Not run on Windows by this project's build: see docs/windows.md.
 */
final class JnaScm implements Scm {
    private static final String EVENT_SOURCES = "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\";
    private static final String CONTROL = "SYSTEM\\CurrentControlSet\\Control";
    /** What the SCM waits for a service process when ServicesPipeTimeout is not set. */
    static final int DEFAULT_PIPE_TIMEOUT_MILLIS = 30_000;
    private final ScmCalls calls;
    private final IntSupplier lastError;

    /** jna-platform's Advapi32, loaded on first use, and the error JNA saved after each call. */
    JnaScm() {
        this(ScmCalls.advapi32(), Native::getLastError);
    }

    /** @param lastError the error of the last call, as JNA saved it right after the call (a fake in tests) */
    JnaScm(ScmCalls calls, IntSupplier lastError) {
        this.calls = calls;
        this.lastError = lastError;
    }

    // The SCM calls back into these from its own threads: keep them strongly reachable.
    private Winsvc.SERVICE_MAIN_FUNCTION serviceMain;
    private Winsvc.HandlerEx handler;

    /**
     * SERVICE_REQUIRED_PRIVILEGES_INFOW: jna-platform has the info level constant but not this
     * structure. One pointer to a UTF-16 MULTI_SZ.
     */
    @Structure.FieldOrder("pmszRequiredPrivileges")
    public static final class RequiredPrivilegesInfo extends Winsvc.ChangeServiceConfig2Info {
        public Pointer pmszRequiredPrivileges;
    }

    /** SERVICE_DELAYED_AUTO_START_INFO: jna-platform has the info level constant but not this structure. One BOOL (4 bytes). */
    @Structure.FieldOrder("fDelayedAutostart")
    public static final class DelayedAutoStartInfo extends Winsvc.ChangeServiceConfig2Info {
        public int fDelayedAutostart;
    }

    @Override
    public Scm.Service create(ServiceDefinition d) throws ServiceException {
        Winsvc.SC_HANDLE manager = openManager(Winsvc.SC_MANAGER_CONNECT | Winsvc.SC_MANAGER_CREATE_SERVICE, d.name());
        try {
            Winsvc.SC_HANDLE handle = calls.CreateService(manager, d.name(), d.displayName(),
                    Winsvc.SERVICE_ALL_ACCESS, WinNT.SERVICE_WIN32_OWN_PROCESS, WinNT.SERVICE_AUTO_START,
                    WinNT.SERVICE_ERROR_NORMAL, d.commandLine(), null, null, null, null, null); // LocalSystem
            if (handle == null) {
                throw new ServiceException(d.name(), lastError.getAsInt());
            }
            return new JnaService(d.name(), handle);
        } finally {
            calls.CloseServiceHandle(manager);
        }
    }

    @Override
    public int servicesPipeTimeoutMillis() {
        try {
            if (Advapi32Util.registryValueExists(WinReg.HKEY_LOCAL_MACHINE, CONTROL, "ServicesPipeTimeout")) {
                int millis = Advapi32Util.registryGetIntValue(WinReg.HKEY_LOCAL_MACHINE, CONTROL, "ServicesPipeTimeout");
                if (millis > 0) {
                    return millis;
                }
            }
        } catch (Win32Exception | ClassCastException e) {
            // unreadable or not a DWORD: Windows uses its default then too
        }
        return DEFAULT_PIPE_TIMEOUT_MILLIS;
    }

    /** ImagePath under the service's key: what QueryServiceConfig returns, which jna-platform does not map. */
    @Override
    public String commandLine(String name) throws ServiceException {
        String key = "SYSTEM\\CurrentControlSet\\Services\\" + name;
        try {
            return Advapi32Util.registryGetValue(WinReg.HKEY_LOCAL_MACHINE, key, "ImagePath") instanceof String path ? path : "";
        } catch (Win32Exception e) {
            throw new ServiceException(name, e.getErrorCode());
        }
    }

    @Override
    public Scm.Service open(String name, int access) throws ServiceException {
        Winsvc.SC_HANDLE manager = openManager(Winsvc.SC_MANAGER_CONNECT, name);
        try {
            Winsvc.SC_HANDLE handle = calls.OpenService(manager, name, access);
            if (handle == null) {
                throw new ServiceException(name, lastError.getAsInt());
            }
            return new JnaService(name, handle);
        } finally {
            calls.CloseServiceHandle(manager);
        }
    }

    @Override
    public void dispatch(String name, Function<Consumer<ServiceStatusTracker.Status>, ServiceLifecycle> lifecycleFactory)
            throws ServiceException {
        serviceMain = (argc, argv) -> {
            Winsvc.SERVICE_STATUS_HANDLE[] statusHandle = new Winsvc.SERVICE_STATUS_HANDLE[1];
            ServiceLifecycle lifecycle = lifecycleFactory.apply(status -> setStatus(statusHandle[0], status));
            handler = (control, eventType, eventData, context) -> lifecycle.onControl(control);
            statusHandle[0] = calls.RegisterServiceCtrlHandlerEx(name, handler, null);
            if (statusHandle[0] == null) {
                System.err.println("leakwatch: RegisterServiceCtrlHandlerEx failed (Win32 error " + lastError.getAsInt() + ")");
                return; // the SCM sees the service exit without a status and applies its failure actions
            }
            lifecycle.serviceMain();
        };
        Winsvc.SERVICE_TABLE_ENTRY[] table = (Winsvc.SERVICE_TABLE_ENTRY[]) new Winsvc.SERVICE_TABLE_ENTRY().toArray(2);
        table[0].lpServiceName = name;
        table[0].lpServiceProc = serviceMain;
        if (!calls.StartServiceCtrlDispatcher(table)) {
            throw new ServiceException(name, lastError.getAsInt());
        }
    }

    private void setStatus(Winsvc.SERVICE_STATUS_HANDLE handle, ServiceStatusTracker.Status s) {
        Winsvc.SERVICE_STATUS status = new Winsvc.SERVICE_STATUS();
        status.dwServiceType = WinNT.SERVICE_WIN32_OWN_PROCESS;
        status.dwCurrentState = s.state();
        status.dwControlsAccepted = s.controlsAccepted();
        status.dwWin32ExitCode = s.win32ExitCode();
        status.dwServiceSpecificExitCode = s.serviceSpecificExitCode();
        status.dwCheckPoint = s.checkPoint();
        status.dwWaitHint = s.waitHintMillis();
        if (!calls.SetServiceStatus(handle, status)) {
            System.err.println("leakwatch: SetServiceStatus(" + s.state() + ") failed (Win32 error " + lastError.getAsInt() + ")");
        }
    }

    private Winsvc.SC_HANDLE openManager(int access, String name) throws ServiceException {
        Winsvc.SC_HANDLE manager = calls.OpenSCManager(null, null, access);
        if (manager == null) {
            throw new ServiceException(name, lastError.getAsInt());
        }
        return manager;
    }

    /** UTF-16LE MULTI_SZ: each string NUL-terminated, one more NUL at the end. */
    static byte[] multiSz(List<String> strings) {
        StringBuilder text = new StringBuilder();
        for (String s : strings) {
            if (s.isEmpty() || s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("not a MULTI_SZ element: '" + s + "'");
            }
            text.append(s).append('\0');
        }
        text.append('\0');
        return text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
    }

    /**
     * SERVICE_FAILURE_ACTIONS as jna-platform's W32Service.setFailureActions builds it (no reboot
     * message, no command). A reboot action would also need SeShutdownPrivilege, which W32Service
     * acquires and this does not: leakwatch never configures one.
     */
    static Winsvc.SERVICE_FAILURE_ACTIONS failureActions(List<Scm.FailureAction> actions, int resetPeriodSeconds) {
        Winsvc.SERVICE_FAILURE_ACTIONS.ByReference info = new Winsvc.SERVICE_FAILURE_ACTIONS.ByReference();
        info.dwResetPeriod = resetPeriodSeconds;
        info.lpRebootMsg = null;
        info.lpCommand = null;
        info.cActions = actions.size();
        info.lpsaActions = new Winsvc.SC_ACTION.ByReference();
        Winsvc.SC_ACTION[] array = (Winsvc.SC_ACTION[]) info.lpsaActions.toArray(actions.size());
        for (int i = 0; i < actions.size(); i++) {
            Scm.FailureAction action = actions.get(i);
            if (action.type() == Winsvc.SC_ACTION_REBOOT) {
                throw new IllegalArgumentException("a reboot failure action needs SeShutdownPrivilege, not acquired here");
            }
            array[i].type = action.type();
            array[i].delay = action.delayMillis();
        }
        return info;
    }

    @Override
    public void registerEventSource(String source) {
        String key = EVENT_SOURCES + source;
        try {
            Advapi32Util.registryCreateKey(WinReg.HKEY_LOCAL_MACHINE, key);
            Advapi32Util.registrySetExpandableStringValue(WinReg.HKEY_LOCAL_MACHINE, key, "EventMessageFile",
                    "%SystemRoot%\\System32\\EventCreate.exe");
            Advapi32Util.registrySetIntValue(WinReg.HKEY_LOCAL_MACHINE, key, "TypesSupported",
                    WinNT.EVENTLOG_ERROR_TYPE | WinNT.EVENTLOG_WARNING_TYPE | WinNT.EVENTLOG_INFORMATION_TYPE);
        } catch (Win32Exception e) {
            // the events are still written, with a note from Event Viewer
        }
    }

    @Override
    public void unregisterEventSource(String source) {
        String key = EVENT_SOURCES + source;
        try {
            if (Advapi32Util.registryKeyExists(WinReg.HKEY_LOCAL_MACHINE, key)) {
                Advapi32Util.registryDeleteKey(WinReg.HKEY_LOCAL_MACHINE, key);
            }
        } catch (Win32Exception e) {
            // nothing else depends on it
        }
    }

    private final class JnaService implements Scm.Service {
        private final String name;
        private final Winsvc.SC_HANDLE handle;
        private boolean closed;

        JnaService(String name, Winsvc.SC_HANDLE handle) {
            this.name = name;
            this.handle = handle;
        }

        @Override
        public void setDescription(String description) throws ServiceException {
            Winsvc.SERVICE_DESCRIPTION info = new Winsvc.SERVICE_DESCRIPTION();
            info.lpDescription = description;
            changeConfig2(Winsvc.SERVICE_CONFIG_DESCRIPTION, info);
        }

        @Override
        public void setFailureActions(List<Scm.FailureAction> actions, int resetPeriodSeconds) throws ServiceException {
            changeConfig2(Winsvc.SERVICE_CONFIG_FAILURE_ACTIONS, failureActions(actions, resetPeriodSeconds));
        }

        @Override
        public void setFailureActionsOnNonCrashFailures(boolean enabled) throws ServiceException {
            Winsvc.SERVICE_FAILURE_ACTIONS_FLAG flag = new Winsvc.SERVICE_FAILURE_ACTIONS_FLAG();
            flag.fFailureActionsOnNonCrashFailures = enabled ? 1 : 0;
            changeConfig2(Winsvc.SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, flag);
        }

        @Override
        public void setDelayedAutoStart(boolean delayed) throws ServiceException {
            DelayedAutoStartInfo info = new DelayedAutoStartInfo();
            info.fDelayedAutostart = delayed ? 1 : 0;
            changeConfig2(Winsvc.SERVICE_CONFIG_DELAYED_AUTO_START_INFO, info);
        }

        @Override
        public void setRequiredPrivileges(List<String> privileges) throws ServiceException {
            byte[] bytes = multiSz(privileges);
            try (Memory text = new Memory(bytes.length)) {
                text.write(0, bytes, 0, bytes.length);
                RequiredPrivilegesInfo info = new RequiredPrivilegesInfo();
                info.pmszRequiredPrivileges = text;
                changeConfig2(Winsvc.SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO, info);
            }
        }

        private void changeConfig2(int level, Winsvc.ChangeServiceConfig2Info info) throws ServiceException {
            if (!calls.ChangeServiceConfig2(handle, level, info)) {
                throw new ServiceException(name, lastError.getAsInt());
            }
        }

        /** QueryServiceStatusEx(SC_STATUS_PROCESS_INFO), as W32Service.queryStatus makes it, with the error JNA saved. */
        @Override
        public Scm.Status status() throws ServiceException {
            Winsvc.SERVICE_STATUS_PROCESS s = new Winsvc.SERVICE_STATUS_PROCESS();
            IntByReference needed = new IntByReference();
            if (!calls.QueryServiceStatusEx(handle, Winsvc.SC_STATUS_TYPE.SC_STATUS_PROCESS_INFO, s, s.size(), needed)) {
                throw new ServiceException(name, lastError.getAsInt());
            }
            return new Scm.Status(s.dwCurrentState, s.dwWin32ExitCode, s.dwServiceSpecificExitCode,
                    s.dwCheckPoint, s.dwWaitHint);
        }

        @Override
        public void start() throws ServiceException {
            if (!calls.StartService(handle, 0, null)) {
                throw new ServiceException(name, lastError.getAsInt());
            }
        }

        @Override
        public void stop() throws ServiceException {
            if (!calls.ControlService(handle, Winsvc.SERVICE_CONTROL_STOP, new Winsvc.SERVICE_STATUS())) {
                throw new ServiceException(name, lastError.getAsInt());
            }
        }

        @Override
        public void delete() throws ServiceException {
            if (!calls.DeleteService(handle)) {
                throw new ServiceException(name, lastError.getAsInt());
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                calls.CloseServiceHandle(handle); // nothing left to do with a handle that will not close
            }
        }
    }
}
