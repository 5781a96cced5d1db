/* groupprobe.c - checks the RTL_USER_PROCESS_PARAMETERS offsets JnaProcessDetailsReader uses for
 * ProcessGroupId (0x408) and the structure's Length (0x04), at compile time against the x64 layout
 * (phnt's field list, written out here because MinGW's winternl.h stops at CommandLine), and at run
 * time by reading them through the PEB of every process, the way the Java reader does.
 * Build: x86_64-w64-mingw32-gcc -O2 -Wall -o groupprobe.exe groupprobe.c -lntdll -lpsapi
 * Usage: groupprobe.exe [child]   (starts itself once with CREATE_NEW_PROCESS_GROUP, then lists) */
#include <windows.h>
#include <winternl.h>
#include <psapi.h>
#include <stddef.h>
#include <stdio.h>

typedef struct { USHORT Flags, Length; ULONG TimeStamp; UNICODE_STRING DosPath; } DRIVE_LETTER_CURDIR;
typedef struct {
    ULONG MaximumLength, Length, Flags, DebugFlags;
    HANDLE ConsoleHandle; ULONG ConsoleFlags; HANDLE StandardInput, StandardOutput, StandardError;
    UNICODE_STRING CurrentDirectoryPath; HANDLE CurrentDirectoryHandle;
    UNICODE_STRING DllPath, ImagePathName, CommandLine; PVOID Environment;
    ULONG StartingX, StartingY, CountX, CountY, CountCharsX, CountCharsY, FillAttribute, WindowFlags, ShowWindowFlags;
    UNICODE_STRING WindowTitle, DesktopInfo, ShellInfo, RuntimeData;
    DRIVE_LETTER_CURDIR CurrentDirectories[32];
    ULONG_PTR EnvironmentSize, EnvironmentVersion; PVOID PackageDependencyData;
    ULONG ProcessGroupId, LoaderThreads;
} FULL_PARAMETERS;
_Static_assert(offsetof(FULL_PARAMETERS, Length) == 0x04, "Length");
_Static_assert(offsetof(FULL_PARAMETERS, CommandLine) == 0x70, "CommandLine");
_Static_assert(offsetof(FULL_PARAMETERS, CurrentDirectories) == 0xF0, "CurrentDirectories");
_Static_assert(offsetof(FULL_PARAMETERS, ProcessGroupId) == 0x408, "ProcessGroupId");

typedef NTSTATUS (NTAPI *PFN_NtQIP)(HANDLE, ULONG, PVOID, ULONG, PULONG);

int main(int argc, char **argv)
{
    if (argc > 1) { Sleep(3000); return 0; }
    STARTUPINFOA si = { sizeof si }; PROCESS_INFORMATION pi; char self[MAX_PATH], line[MAX_PATH + 8];
    GetModuleFileNameA(NULL, self, MAX_PATH); snprintf(line, sizeof line, "\"%s\" child", self);
    BOOL child = CreateProcessA(NULL, line, NULL, NULL, FALSE, CREATE_NEW_PROCESS_GROUP, NULL, NULL, &si, &pi);
    Sleep(500);
    PFN_NtQIP NtQIP = (PFN_NtQIP)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQueryInformationProcess");
    DWORD pids[1024], bytes; EnumProcesses(pids, sizeof pids, &bytes);
    for (DWORD i = 0; i < bytes / sizeof(DWORD); i++) {
        HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, pids[i]);
        if (!h) { printf("pid=%lu open err %lu\n", pids[i], GetLastError()); continue; }
        PROCESS_BASIC_INFORMATION pbi; ULONG ret; ULONGLONG params = 0; BYTE p[0x410]; SIZE_T read = 0;
        if (NtQIP(h, 0, &pbi, sizeof pbi, &ret) == 0
            && ReadProcessMemory(h, (BYTE *)pbi.PebBaseAddress + 0x20, &params, 8, &read) && params
            && ReadProcessMemory(h, (LPCVOID)(ULONG_PTR)params, p, sizeof p, &read))
            printf("pid=%lu Length=0x%lx ProcessGroupId=%lu%s\n", pids[i], *(ULONG *)(p + 0x04), *(ULONG *)(p + 0x408),
                   child && pids[i] == pi.dwProcessId ? " (started with CREATE_NEW_PROCESS_GROUP)" : pids[i] == GetCurrentProcessId() ? " (this probe)" : "");
        else printf("pid=%lu PEB read failed err %lu\n", pids[i], GetLastError());
        CloseHandle(h);
    }
    if (child) { WaitForSingleObject(pi.hProcess, 5000); CloseHandle(pi.hProcess); CloseHandle(pi.hThread); }
    return 0;
}
