package io.leakwatch.backend.windows;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.VersionHelpers;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The native calls of the Windows backend. jna-platform's tested mappings for everything it maps
 * correctly (Kernel32: OpenProcess, CloseHandle, GetProcessTimes, GetCurrentProcess; Advapi32:
 * OpenProcessToken, GetTokenInformation, LookupAccountSid, LookupPrivilegeValue,
 * AdjustTokenPrivileges), and hand-written declarations only for the three it lacks or maps
 * wrongly, each with its reason. Error codes are read with {@link #lastError}, JNA's copy saved
 * right after each call (Native.getLastError); a later Kernel32.GetLastError() may see a value
 * that other code has reset. Loading happens only in {@link #load()}, so the classes load on Linux,
 * where tests put a fake of these interfaces in its place.
 */
final class WindowsApi {
    static final int SYSTEM_PROCESS_INFORMATION = 5;
    static final int PROCESS_BASIC_INFORMATION = 0;
    static final int PROCESS_QUERY_LIMITED_INFORMATION = WinNT.PROCESS_QUERY_LIMITED_INFORMATION;
    static final int PROCESS_QUERY_INFORMATION = WinNT.PROCESS_QUERY_INFORMATION;
    static final int PROCESS_VM_READ = WinNT.PROCESS_VM_READ;

    /** ntdll: jna-platform 5.19's NtDll maps neither call. */
    interface Ntdll extends Library {
        /** Not in jna-platform. All parameters are pointers or 32-bit ULONGs. */
        int NtQuerySystemInformation(int systemInformationClass, Pointer systemInformation, int length, Pointer returnLength);

        /** Not in jna-platform. ProcessInformationLength and ReturnLength are ULONGs (32-bit). */
        int NtQueryInformationProcess(WinNT.HANDLE process, int processInformationClass, Pointer processInformation,
                                      int length, Pointer returnLength);
    }

    /** kernel32 functions jna-platform lacks or maps wrongly. */
    interface Kernel32Extra extends Library {
        /**
         * jna-platform declares nSize as int and lpNumberOfBytesRead as IntByReference, but both are
         * SIZE_T: 8 bytes on x64, so Windows would write 8 bytes into JNA's 4-byte IntByReference.
         * Here the size is a long and the count a Pointer to 8 bytes of our own.
         */
        boolean ReadProcessMemory(WinNT.HANDLE process, Pointer baseAddress, Pointer buffer, long size, Pointer bytesRead);
    }

    /**
     * The jna-platform Kernel32 functions used, with jna-platform's own signatures (a test checks
     * each one against Kernel32): a seam that tests fill with a fake, since jna-platform's
     * interfaces load kernel32 as soon as they are initialized.
     */
    interface Kernel32Calls {
        WinNT.HANDLE GetCurrentProcess();

        WinNT.HANDLE OpenProcess(int desiredAccess, boolean inheritHandle, int processId);

        boolean CloseHandle(WinNT.HANDLE handle);

        boolean GetProcessTimes(WinNT.HANDLE process, WinBase.FILETIME creation, WinBase.FILETIME exit,
                                WinBase.FILETIME kernel, WinBase.FILETIME user);

        /** Calls jna-platform's mapping. */
        static Kernel32Calls of(Kernel32 k) {
            return new Kernel32Calls() {
                @Override
                public WinNT.HANDLE GetCurrentProcess() {
                    return k.GetCurrentProcess();
                }

                @Override
                public WinNT.HANDLE OpenProcess(int desiredAccess, boolean inheritHandle, int processId) {
                    return k.OpenProcess(desiredAccess, inheritHandle, processId);
                }

                @Override
                public boolean CloseHandle(WinNT.HANDLE handle) {
                    return k.CloseHandle(handle);
                }

                @Override
                public boolean GetProcessTimes(WinNT.HANDLE process, WinBase.FILETIME creation, WinBase.FILETIME exit,
                                               WinBase.FILETIME kernel, WinBase.FILETIME user) {
                    return k.GetProcessTimes(process, creation, exit, kernel, user);
                }
            };
        }
    }

    /** The jna-platform Advapi32 functions used, with its signatures (checked by a test); see {@link Kernel32Calls}. */
    interface Advapi32Calls {
        boolean OpenProcessToken(WinNT.HANDLE process, int desiredAccess, WinNT.HANDLEByReference token);

        boolean GetTokenInformation(WinNT.HANDLE token, int infoClass, Structure info, int length, IntByReference returned);

        boolean LookupAccountSid(String systemName, WinNT.PSID sid, char[] name, IntByReference nameLength,
                                 char[] domain, IntByReference domainLength, PointerByReference use);

        boolean LookupPrivilegeValue(String systemName, String name, WinNT.LUID luid);

        boolean AdjustTokenPrivileges(WinNT.HANDLE token, boolean disableAll, WinNT.TOKEN_PRIVILEGES newState,
                                      int length, WinNT.TOKEN_PRIVILEGES previous, IntByReference returnLength);

        /** Calls jna-platform's mapping. */
        static Advapi32Calls of(Advapi32 a) {
            return new Advapi32Calls() {
                @Override
                public boolean OpenProcessToken(WinNT.HANDLE process, int desiredAccess, WinNT.HANDLEByReference token) {
                    return a.OpenProcessToken(process, desiredAccess, token);
                }

                @Override
                public boolean GetTokenInformation(WinNT.HANDLE token, int infoClass, Structure info, int length,
                                                   IntByReference returned) {
                    return a.GetTokenInformation(token, infoClass, info, length, returned);
                }

                @Override
                public boolean LookupAccountSid(String systemName, WinNT.PSID sid, char[] name, IntByReference nameLength,
                                                char[] domain, IntByReference domainLength, PointerByReference use) {
                    return a.LookupAccountSid(systemName, sid, name, nameLength, domain, domainLength, use);
                }

                @Override
                public boolean LookupPrivilegeValue(String systemName, String name, WinNT.LUID luid) {
                    return a.LookupPrivilegeValue(systemName, name, luid);
                }

                @Override
                public boolean AdjustTokenPrivileges(WinNT.HANDLE token, boolean disableAll, WinNT.TOKEN_PRIVILEGES newState,
                                                     int length, WinNT.TOKEN_PRIVILEGES previous, IntByReference returnLength) {
                    return a.AdjustTokenPrivileges(token, disableAll, newState, length, previous, returnLength);
                }
            };
        }
    }

    final Kernel32Calls kernel32;
    final Advapi32Calls advapi32;
    final Ntdll ntdll;
    final Kernel32Extra kernel32Extra;
    final IntSupplier lastError;
    /**
     * Windows 8 / Server 2012 or later: RTL_USER_PROCESS_PARAMETERS has ProcessGroupId (and
     * PackageDependencyData before it). Its Length cannot tell: on Windows 7 the strings the block
     * holds are packed right after the structure and counted in Length.
     */
    final BooleanSupplier windows8OrLater;

    WindowsApi(Kernel32Calls kernel32, Advapi32Calls advapi32, Ntdll ntdll, Kernel32Extra kernel32Extra, IntSupplier lastError,
               BooleanSupplier windows8OrLater) {
        this.kernel32 = kernel32;
        this.advapi32 = advapi32;
        this.ntdll = ntdll;
        this.kernel32Extra = kernel32Extra;
        this.lastError = lastError;
        this.windows8OrLater = windows8OrLater;
    }

    /** @throws LinkageError off Windows, or when JNA's native library cannot be loaded */
    static WindowsApi load() {
        // asked once: the version does not change while we run, and each VersionHelpers call builds an
        // OSVERSIONINFOEX Structure and makes four native calls, for every process whose block is read
        boolean windows8OrLater = VersionHelpers.IsWindows8OrGreater();
        return new WindowsApi(Kernel32Calls.of(Kernel32.INSTANCE), Advapi32Calls.of(Advapi32.INSTANCE),
                Native.load("ntdll", Ntdll.class),
                Native.load("kernel32", Kernel32Extra.class), Native::getLastError, () -> windows8OrLater);
    }

    int querySystemProcessInformation(Pointer buffer, int length, Pointer returnLength) {
        return ntdll.NtQuerySystemInformation(SYSTEM_PROCESS_INFORMATION, buffer, length, returnLength);
    }
}
