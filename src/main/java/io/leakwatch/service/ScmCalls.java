package io.leakwatch.service;

import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Winsvc;
import com.sun.jna.ptr.IntByReference;

/**
 * The jna-platform Advapi32 service functions {@link JnaScm} calls, with jna-platform's own
 * signatures (a test checks each one against Advapi32): a seam that tests fill with a fake, since
 * jna-platform's interface loads advapi32 as soon as it is initialized.
 */
interface ScmCalls {
    Winsvc.SC_HANDLE OpenSCManager(String machine, String database, int access);

    Winsvc.SC_HANDLE OpenService(Winsvc.SC_HANDLE manager, String name, int access);

    Winsvc.SC_HANDLE CreateService(Winsvc.SC_HANDLE manager, String name, String displayName, int access, int type,
                                   int startType, int errorControl, String binaryPath, String loadOrderGroup,
                                   IntByReference tagId, String dependencies, String account, String password);

    boolean ChangeServiceConfig2(Winsvc.SC_HANDLE service, int infoLevel, Winsvc.ChangeServiceConfig2Info info);

    boolean QueryServiceStatusEx(Winsvc.SC_HANDLE service, int infoLevel, Winsvc.SERVICE_STATUS_PROCESS status,
                                 int size, IntByReference needed);

    boolean StartService(Winsvc.SC_HANDLE service, int argc, String[] argv);

    boolean ControlService(Winsvc.SC_HANDLE service, int control, Winsvc.SERVICE_STATUS status);

    boolean DeleteService(Winsvc.SC_HANDLE service);

    boolean CloseServiceHandle(Winsvc.SC_HANDLE handle);

    boolean StartServiceCtrlDispatcher(Winsvc.SERVICE_TABLE_ENTRY[] table);

    Winsvc.SERVICE_STATUS_HANDLE RegisterServiceCtrlHandlerEx(String name, Winsvc.HandlerEx handler,
                                                              com.sun.jna.Pointer context);

    boolean SetServiceStatus(Winsvc.SERVICE_STATUS_HANDLE handle, Winsvc.SERVICE_STATUS status);

    /** Calls jna-platform's mapping, loaded on first use (so this class loads where advapi32 does not exist). */
    static ScmCalls advapi32() {
        return new ScmCalls() {
            private Advapi32 a() {
                return Advapi32.INSTANCE;
            }

            @Override
            public Winsvc.SC_HANDLE OpenSCManager(String machine, String database, int access) {
                return a().OpenSCManager(machine, database, access);
            }

            @Override
            public Winsvc.SC_HANDLE OpenService(Winsvc.SC_HANDLE manager, String name, int access) {
                return a().OpenService(manager, name, access);
            }

            @Override
            public Winsvc.SC_HANDLE CreateService(Winsvc.SC_HANDLE manager, String name, String displayName, int access,
                                                  int type, int startType, int errorControl, String binaryPath,
                                                  String loadOrderGroup, IntByReference tagId, String dependencies,
                                                  String account, String password) {
                return a().CreateService(manager, name, displayName, access, type, startType, errorControl, binaryPath,
                        loadOrderGroup, tagId, dependencies, account, password);
            }

            @Override
            public boolean ChangeServiceConfig2(Winsvc.SC_HANDLE service, int infoLevel, Winsvc.ChangeServiceConfig2Info info) {
                return a().ChangeServiceConfig2(service, infoLevel, info);
            }

            @Override
            public boolean QueryServiceStatusEx(Winsvc.SC_HANDLE service, int infoLevel, Winsvc.SERVICE_STATUS_PROCESS status,
                                                int size, IntByReference needed) {
                return a().QueryServiceStatusEx(service, infoLevel, status, size, needed);
            }

            @Override
            public boolean StartService(Winsvc.SC_HANDLE service, int argc, String[] argv) {
                return a().StartService(service, argc, argv);
            }

            @Override
            public boolean ControlService(Winsvc.SC_HANDLE service, int control, Winsvc.SERVICE_STATUS status) {
                return a().ControlService(service, control, status);
            }

            @Override
            public boolean DeleteService(Winsvc.SC_HANDLE service) {
                return a().DeleteService(service);
            }

            @Override
            public boolean CloseServiceHandle(Winsvc.SC_HANDLE handle) {
                return a().CloseServiceHandle(handle);
            }

            @Override
            public boolean StartServiceCtrlDispatcher(Winsvc.SERVICE_TABLE_ENTRY[] table) {
                return a().StartServiceCtrlDispatcher(table);
            }

            @Override
            public Winsvc.SERVICE_STATUS_HANDLE RegisterServiceCtrlHandlerEx(String name, Winsvc.HandlerEx handler,
                                                                             com.sun.jna.Pointer context) {
                return a().RegisterServiceCtrlHandlerEx(name, handler, context);
            }

            @Override
            public boolean SetServiceStatus(Winsvc.SERVICE_STATUS_HANDLE handle, Winsvc.SERVICE_STATUS status) {
                return a().SetServiceStatus(handle, status);
            }
        };
    }
}
