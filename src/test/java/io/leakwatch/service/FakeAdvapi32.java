package io.leakwatch.service;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.Winsvc;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The service functions of jna-platform's Advapi32 ({@link ScmCalls}) over an SCM in memory:
 * handles that must be closed, and the error each failed call leaves for Native.getLastError
 * ({@link #lastError}). There is no Kernel32.GetLastError() here: code that asks Windows for the
 * error later, as jna-platform's W32Service does, cannot run against it.
 */
final class FakeAdvapi32 {
    /** Handle value to what it is ("manager" or "service:<name>"). */
    final Map<Long, String> open = new LinkedHashMap<>();
    final List<String> calls = new ArrayList<>();
    /** Call name to the Win32 error it fails with. */
    final Map<String, Integer> failures = new LinkedHashMap<>();
    int state = Winsvc.SERVICE_RUNNING;
    volatile int lastError;
    private long next = 0x40;

    final ScmCalls api = (ScmCalls) Proxy.newProxyInstance(ScmCalls.class.getClassLoader(), new Class<?>[]{ScmCalls.class},
            (self, method, args) -> {
                if (method.getDeclaringClass() == Object.class) {
                    return method.getName().equals("toString") ? "fake Advapi32" : method.invoke(this, args);
                }
                return call(method.getName(), args == null ? new Object[0] : args);
            });

    private synchronized Object call(String name, Object[] a) {
        calls.add(name);
        Integer error = failures.get(name);
        switch (name) {
            case "OpenSCManager" -> {
                return error != null ? fail(error, null) : handle("manager");
            }
            case "OpenService" -> {
                return error != null ? fail(error, null) : handle("service:" + a[1]);
            }
            case "QueryServiceStatusEx" -> {
                if (error != null) {
                    return fail(error, false);
                }
                if (!open.containsKey(Pointer.nativeValue(((Winsvc.SC_HANDLE) a[0]).getPointer()))) {
                    return fail(WinError.ERROR_INVALID_HANDLE, false);
                }
                Winsvc.SERVICE_STATUS_PROCESS status = (Winsvc.SERVICE_STATUS_PROCESS) a[2];
                status.dwCurrentState = state;
                status.dwCheckPoint = 3;
                status.dwWaitHint = 15_000;
                return true;
            }
            case "CloseServiceHandle" -> {
                if (open.remove(Pointer.nativeValue(((Winsvc.SC_HANDLE) a[0]).getPointer())) == null) {
                    return fail(WinError.ERROR_INVALID_HANDLE, false);
                }
                return error != null ? fail(error, false) : true;
            }
            default -> throw new UnsupportedOperationException("the fake does not implement " + name);
        }
    }

    private Object fail(int error, Object result) {
        lastError = error;
        return result;
    }

    private Winsvc.SC_HANDLE handle(String what) {
        long value = next;
        next += 8;
        open.put(value, what);
        Winsvc.SC_HANDLE handle = new Winsvc.SC_HANDLE();
        handle.setPointer(new Pointer(value));
        return handle;
    }
}
