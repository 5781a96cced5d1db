package io.leakwatch.backend.windows;

import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;

/**
 * Enables SeDebugPrivilege in leakwatch's own token when the token holds it (an elevated console
 * or the service), so both open other users' processes alike and see the same owners, command
 * lines and process groups. A token without it (a non-elevated user) is left as it is.
 */
final class DebugPrivilege {
    enum Result {
        /** Held and now enabled. */
        ENABLED,
        /** Not held: not elevated. Other users' processes give fewer labels. */
        NOT_HELD,
        /** A call failed (see the trace). */
        FAILED
    }

    private DebugPrivilege() {
    }

    static Result enable(WindowsApi api, NativeTrace trace) {
        WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
        if (!api.advapi32.OpenProcessToken(api.kernel32.GetCurrentProcess(),
                WinNT.TOKEN_ADJUST_PRIVILEGES | WinNT.TOKEN_QUERY, token)) {
            trace.win32("OpenProcessToken(self)", false, api.lastError.getAsInt(), "self");
            return Result.FAILED;
        }
        try {
            WinNT.LUID luid = new WinNT.LUID();
            if (!api.advapi32.LookupPrivilegeValue(null, WinNT.SE_DEBUG_NAME, luid)) {
                trace.win32("LookupPrivilegeValue(SeDebugPrivilege)", false, api.lastError.getAsInt(), "self");
                return Result.FAILED;
            }
            WinNT.TOKEN_PRIVILEGES privileges = new WinNT.TOKEN_PRIVILEGES(1);
            privileges.Privileges[0] = new WinNT.LUID_AND_ATTRIBUTES(luid,
                    new com.sun.jna.platform.win32.WinDef.DWORD(WinNT.SE_PRIVILEGE_ENABLED));
            boolean ok = api.advapi32.AdjustTokenPrivileges(token.getValue(), false, privileges, 0, null, new IntByReference());
            // AdjustTokenPrivileges succeeds even when it enabled nothing: ERROR_NOT_ALL_ASSIGNED says so.
            int error = api.lastError.getAsInt();
            trace.win32("AdjustTokenPrivileges(SeDebugPrivilege)", ok && error == 0, error, "self");
            if (!ok) {
                return Result.FAILED;
            }
            return error == WinError.ERROR_NOT_ALL_ASSIGNED ? Result.NOT_HELD : Result.ENABLED;
        } finally {
            api.kernel32.CloseHandle(token.getValue());
        }
    }
}
