package io.leakwatch.backend.windows;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The Windows calls the backend makes, declared here because jna-platform does not map
 * NtQuerySystemInformation and maps the others with Structures that allocate on every call.
 * Every parameter is a Pointer or a fixed-size Java primitive (no NativeLong: it is 4 bytes on
 * Windows); SIZE_T is a long, so this is for 64-bit Windows only, which is all the release targets.
 * Loading happens only in {@link #load()}, so the classes load on Linux too.
 */
final class WindowsApi {
    static final int SYSTEM_PROCESS_INFORMATION = 5;
    static final int PROCESS_BASIC_INFORMATION = 0;
    /** Windows 8.1+: the command line as a UNICODE_STRING, with only PROCESS_QUERY_LIMITED_INFORMATION. */
    static final int PROCESS_COMMAND_LINE_INFORMATION = 60;
    static final int PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
    static final int PROCESS_VM_READ = 0x0010;
    static final int TOKEN_QUERY = 0x0008;
    static final int TOKEN_USER = 1;

    interface Ntdll extends Library {
        int NtQuerySystemInformation(int systemInformationClass, Pointer systemInformation, int length, Pointer returnLength);

        int NtQueryInformationProcess(Pointer process, int processInformationClass, Pointer processInformation,
                                      int length, Pointer returnLength);
    }

    interface Kernel32 extends Library {
        Pointer OpenProcess(int desiredAccess, boolean inheritHandle, int processId);

        boolean CloseHandle(Pointer handle);

        boolean GetProcessTimes(Pointer process, Pointer creationTime, Pointer exitTime, Pointer kernelTime, Pointer userTime);

        boolean ReadProcessMemory(Pointer process, Pointer baseAddress, Pointer buffer, long size, Pointer bytesRead);
    }

    interface Advapi32 extends Library {
        boolean OpenProcessToken(Pointer process, int desiredAccess, Pointer tokenHandle);

        boolean GetTokenInformation(Pointer token, int tokenInformationClass, Pointer tokenInformation, int length,
                                    Pointer returnLength);

        int GetLengthSid(Pointer sid);

        boolean LookupAccountSidW(String systemName, Pointer sid, char[] name, Pointer nameLength,
                                  char[] domain, Pointer domainLength, Pointer use);
    }

    final Ntdll ntdll;
    final Kernel32 kernel32;
    final Advapi32 advapi32;

    private WindowsApi(Ntdll ntdll, Kernel32 kernel32, Advapi32 advapi32) {
        this.ntdll = ntdll;
        this.kernel32 = kernel32;
        this.advapi32 = advapi32;
    }

    /** @throws UnsatisfiedLinkError off Windows */
    static WindowsApi load() {
        return new WindowsApi(Native.load("ntdll", Ntdll.class), Native.load("kernel32", Kernel32.class),
                Native.load("advapi32", Advapi32.class));
    }

    int querySystemProcessInformation(Pointer buffer, int length, Pointer returnLength) {
        return ntdll.NtQuerySystemInformation(SYSTEM_PROCESS_INFORMATION, buffer, length, returnLength);
    }
}
