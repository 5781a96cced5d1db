/* detailsprobe.c - the owner/cmdline reads of JnaProcessDetailsReader, call for call and with the
 * same constants, in C: run under Wine (or Windows) it shows whether those calls and offsets work.
 * Build: x86_64-w64-mingw32-gcc -O2 -Wall -o detailsprobe.exe detailsprobe.c -lntdll -ladvapi32
 * Usage: detailsprobe.exe   (one line per process: pid, name, CreateTime check, owner, both cmdlines) */
#define UNICODE
#define _UNICODE
#include <windows.h>
#include <winternl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The constants of JnaProcessDetailsReader / WindowsApi. The SDK's own structs check the offsets. */
enum {
    PROCESS_BASIC_INFORMATION_CLASS = 0, PROCESS_COMMAND_LINE_INFORMATION = 60,
    PBI_BYTES = 48, PBI_PEB = 0x08, PEB_PROCESS_PARAMETERS = 0x20, PARAMETERS_COMMAND_LINE = 0x70,
    COMMAND_LINE_BYTES = 16 + 2 * 32768, TOKEN_USER_BYTES = 256
};
_Static_assert(sizeof(PROCESS_BASIC_INFORMATION) == PBI_BYTES, "PROCESS_BASIC_INFORMATION size");
_Static_assert(offsetof(PROCESS_BASIC_INFORMATION, PebBaseAddress) == PBI_PEB, "PebBaseAddress offset");
_Static_assert(offsetof(PEB, ProcessParameters) == PEB_PROCESS_PARAMETERS, "PEB.ProcessParameters offset");
_Static_assert(offsetof(RTL_USER_PROCESS_PARAMETERS, CommandLine) == PARAMETERS_COMMAND_LINE, "CommandLine offset");
_Static_assert(offsetof(UNICODE_STRING, Buffer) == 8, "UNICODE_STRING.Buffer offset");

typedef NTSTATUS (NTAPI *PFN_NtQSI)(ULONG, PVOID, ULONG, PULONG);
typedef NTSTATUS (NTAPI *PFN_NtQIP)(HANDLE, ULONG, PVOID, ULONG, PULONG);
static PFN_NtQIP NtQIP;
static BYTE commandLine[COMMAND_LINE_BYTES];

static void owner(HANDLE process, char *out, size_t size)
{
    HANDLE token;
    BYTE tokenUser[TOKEN_USER_BYTES];
    DWORD returned;
    snprintf(out, size, "<none>");
    if (!OpenProcessToken(process, TOKEN_QUERY, &token)) { snprintf(out, size, "<OpenProcessToken err %lu>", GetLastError()); return; }
    if (GetTokenInformation(token, TokenUser, tokenUser, sizeof tokenUser, &returned)) {
        PSID sid = *(PSID *)tokenUser; /* TOKEN_USER.User.Sid */
        WCHAR name[256], domain[256];
        DWORD nameLength = 256, domainLength = 256;
        SID_NAME_USE use;
        if (LookupAccountSidW(NULL, sid, name, &nameLength, domain, &domainLength, &use))
            snprintf(out, size, "%ls\\%ls (sid %lu bytes)", domain, name, GetLengthSid(sid));
        else snprintf(out, size, "<LookupAccountSid err %lu>", GetLastError());
    } else snprintf(out, size, "<GetTokenInformation err %lu>", GetLastError());
    CloseHandle(token);
}

static void cmdlineClass60(HANDLE process, char *out, size_t size)
{
    ULONG returned = 0;
    NTSTATUS st = NtQIP(process, PROCESS_COMMAND_LINE_INFORMATION, commandLine, sizeof commandLine, &returned);
    if (st) { snprintf(out, size, "<status 0x%08lx>", (unsigned long)st); return; }
    unsigned length = *(USHORT *)commandLine;
    ULONGLONG text = *(ULONGLONG *)(commandLine + 8) - (ULONGLONG)(ULONG_PTR)commandLine;
    if (text < 16 || text + length > sizeof commandLine) { snprintf(out, size, "<text outside buffer>"); return; }
    int n = WideCharToMultiByte(CP_UTF8, 0, (LPCWSTR)(commandLine + text), length / 2, out, (int)size - 1, NULL, NULL);
    out[n] = 0;
}

static void cmdlinePeb(DWORD pid, char *out, size_t size)
{
    HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, pid);
    BYTE pbi[PBI_BYTES];
    ULONG returned;
    ULONGLONG parameters = 0;
    BYTE us[16];
    SIZE_T read;
    if (!process) { snprintf(out, size, "<OpenProcess(VM_READ) err %lu>", GetLastError()); return; }
    snprintf(out, size, "<PEB read failed>");
    if (NtQIP(process, PROCESS_BASIC_INFORMATION_CLASS, pbi, PBI_BYTES, &returned) == 0) {
        ULONGLONG peb = *(ULONGLONG *)(pbi + PBI_PEB);
        if (ReadProcessMemory(process, (LPCVOID)(ULONG_PTR)(peb + PEB_PROCESS_PARAMETERS), &parameters, 8, &read) && parameters
            && ReadProcessMemory(process, (LPCVOID)(ULONG_PTR)(parameters + PARAMETERS_COMMAND_LINE), us, 16, &read)) {
            unsigned length = *(USHORT *)us & ~1u;
            ULONGLONG text = *(ULONGLONG *)(us + 8);
            if (length && text && ReadProcessMemory(process, (LPCVOID)(ULONG_PTR)text, commandLine, length, &read)) {
                int n = WideCharToMultiByte(CP_UTF8, 0, (LPCWSTR)commandLine, length / 2, out, (int)size - 1, NULL, NULL);
                out[n] = 0;
            }
        }
    }
    CloseHandle(process);
}

int main(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    PFN_NtQSI NtQSI = (PFN_NtQSI)GetProcAddress(ntdll, "NtQuerySystemInformation");
    NtQIP = (PFN_NtQIP)GetProcAddress(ntdll, "NtQueryInformationProcess");
    ULONG size = 1 << 20, needed = 0;
    BYTE *buf = malloc(size);
    while (NtQSI(5, buf, size, &needed) == (NTSTATUS)0xC0000004L) { size = needed * 2; buf = realloc(buf, size); }
    size_t off = 0;
    for (;;) {
        BYTE *r = buf + off;
        ULONG next = *(ULONG *)r;
        DWORD pid = (DWORD)*(ULONGLONG *)(r + 0x50);
        LONGLONG createTime = *(LONGLONG *)(r + 0x20);
        UNICODE_STRING *name = (UNICODE_STRING *)(r + 0x38);
        if (pid) {
            char own[600] = "", c60[2000] = "", peb[2000] = "", same[40] = "";
            HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
            if (!process) {
                snprintf(same, sizeof same, "open err %lu", GetLastError());
            } else {
                FILETIME c, e, k, u;
                if (GetProcessTimes(process, &c, &e, &k, &u))
                    snprintf(same, sizeof same, "%s", (((LONGLONG)c.dwHighDateTime << 32) | c.dwLowDateTime) == createTime
                             ? "createTime=same" : "createTime=DIFFERENT");
                owner(process, own, sizeof own);
                cmdlineClass60(process, c60, sizeof c60);
                CloseHandle(process);
            }
            cmdlinePeb(pid, peb, sizeof peb);
            printf("pid=%lu name=%.*ls %s owner=%s\n  class60=[%s]\n  peb=[%s]\n  agree=%s\n", pid,
                   name->Length / 2, name->Buffer, same, own, c60, peb, strcmp(c60, peb) == 0 ? "yes" : "NO");
        }
        if (!next) break;
        off += next;
    }
    free(buf);
    return 0;
}
