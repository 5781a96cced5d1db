package io.leakwatch.backend.windows;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.leakwatch.model.CommandLines;

import java.nio.charset.StandardCharsets;

import static io.leakwatch.backend.windows.WindowsApi.*;

/**
 * Owner, command line and process group through a process handle, checked against the record's
 * CreateTime so a reused pid is not mistaken for the process we listed. As windows_exporter does,
 * the handle is opened with PROCESS_QUERY_INFORMATION | PROCESS_VM_READ where allowed (the PEB then
 * gives command line and process group), else with PROCESS_QUERY_LIMITED_INFORMATION alone, for
 * the owner only (protected processes, and other users' without SeDebugPrivilege: their command
 * line is "" in both exporters). Every handle is closed in a finally block; scratch memory is
 * allocated once and freed in {@link #close()}. Access denied gives empty labels. Account names
 * come from {@link AccountNames}, off the scrape's path. Used from one thread at a time.
 */
final class JnaProcessDetailsReader implements ProcessDetailsReader {
    /** A command line is at most 32,767 UTF-16 units; the UNICODE_STRING header precedes it. */
    private static final int COMMAND_LINE_BYTES = 16 + 2 * 32_768;
    private static final int TOKEN_USER_BYTES = 256; // TOKEN_USER (16) + a SID of at most 68 bytes
    /** UNLEN + 1: an account name is up to 256 characters, plus the NUL. */
    static final int ACCOUNT_CHARS = 257;
    /** Domain names are NetBIOS names (DNLEN = 15), but well-known ones ("NT AUTHORITY") are longer: room to spare. */
    static final int DOMAIN_CHARS = 256;
    // x64 offsets (phnt, winternl.h; checked at compile time in src/test/wine-spi/detailsprobe.c):
    static final int PBI_BYTES = 48;
    static final int PBI_PEB = 0x08;
    static final int PEB_PROCESS_PARAMETERS = 0x20;
    static final int PARAMETERS_LENGTH = 0x04;
    static final int PARAMETERS_COMMAND_LINE = 0x70;
    /**
     * RTL_USER_PROCESS_PARAMETERS.ProcessGroupId (ULONG), Windows 8 and later only. Length does not
     * tell whether it is there: on Windows 7 the block's strings follow the 0x400-byte structure and
     * Length counts them, so the Windows version decides ({@link WindowsApi#windows8OrLater}).
     */
    static final int PARAMETERS_PROCESS_GROUP_ID = 0x408;
    static final int PARAMETERS_READ_BYTES = 0x410;
    static final int WINDOWS7_PARAMETERS_BYTES = 0x400;

    private final WindowsApi api;
    private final NativeTrace trace;
    private final AccountNames accounts;
    private final Memory commandLine = new Memory(COMMAND_LINE_BYTES);
    private final Memory small = new Memory(64); // lengths, PROCESS_BASIC_INFORMATION
    private final WinNT.TOKEN_USER tokenUser = new WinNT.TOKEN_USER(TOKEN_USER_BYTES);
    private final WinBase.FILETIME[] times = {new WinBase.FILETIME(), new WinBase.FILETIME(),
            new WinBase.FILETIME(), new WinBase.FILETIME()};
    private final WinNT.HANDLEByReference tokenRef = new WinNT.HANDLEByReference(); // written before it is read
    private final IntByReference tokenUserLength = new IntByReference(); // written, never read
    private boolean closed;

    JnaProcessDetailsReader(WindowsApi api, NativeTrace trace) {
        this(api, trace, null);
    }

    /** @param accounts the SID-to-name cache; null builds the standard one over LookupAccountSid */
    JnaProcessDetailsReader(WindowsApi api, NativeTrace trace, AccountNames accounts) {
        this.api = api;
        this.trace = trace;
        this.accounts = accounts != null ? accounts : AccountNames.standard(new AccountLookup(api, trace));
    }

    @Override
    public ProcessDetails read(long pid, long createTime, boolean wantCmdline) {
        if (closed || pid <= 0 || pid > 0xFFFF_FFFFL) {
            return ProcessDetails.EMPTY;
        }
        // windows_exporter's rule: command line and process group only through a handle with
        // PROCESS_QUERY_INFORMATION and PROCESS_VM_READ; else (protected processes, other users' without
        // SeDebugPrivilege) the owner alone, through PROCESS_QUERY_LIMITED_INFORMATION.
        boolean full = true;
        WinNT.HANDLE process = api.kernel32.OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, false, (int) pid);
        if (process == null) {
            int error = api.lastError.getAsInt();
            trace.win32("OpenProcess(QUERY_INFORMATION|VM_READ)", false, error, pid);
            if (error != WinError.ERROR_ACCESS_DENIED) {
                return error == WinError.ERROR_INVALID_PARAMETER ? ProcessDetails.EMPTY : ProcessDetails.FAILED; // gone, or worth another try
            }
            full = false;
            process = api.kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, false, (int) pid);
            if (process == null) {
                int limitedError = api.lastError.getAsInt();
                trace.win32("OpenProcess(QUERY_LIMITED)", false, limitedError, pid);
                return limitedError == WinError.ERROR_ACCESS_DENIED || limitedError == WinError.ERROR_INVALID_PARAMETER
                        ? ProcessDetails.EMPTY : ProcessDetails.FAILED;
            }
            trace.win32("OpenProcess(QUERY_LIMITED)", true, 0, pid);
        } else {
            trace.win32("OpenProcess(QUERY_INFORMATION|VM_READ)", true, 0, pid);
        }
        try {
            Boolean same = sameProcess(process, createTime, pid);
            if (same == null || !same) {
                return same == null ? ProcessDetails.FAILED : ProcessDetails.EMPTY;
            }
            Owner owner = owner(process, pid);
            String cmdline = null;
            long group = 0;
            int missing = owner.missing ? ProcessDetails.OWNER : 0;
            if (full) {
                PebRead peb = readPeb(process, pid, wantCmdline);
                group = peb.processGroupId;
                cmdline = peb.commandLine;
                missing |= peb.missing;
            }
            return new ProcessDetails(owner.label, cmdline == null ? "" : label(cmdline), group, owner.unresolvedSid, missing);
        } catch (RuntimeException e) {
            trace.outcome("read", "failed: " + e.getClass().getSimpleName(), pid);
            return ProcessDetails.FAILED; // a label is not worth failing the scrape over
        } finally {
            close(process, pid);
        }
    }

    @Override
    public String accountName(String sid) {
        return accounts.known(sid);
    }

    private void close(WinNT.HANDLE handle, Object context) {
        if (!api.kernel32.CloseHandle(handle)) {
            trace.win32("CloseHandle", false, api.lastError.getAsInt(), context);
        }
    }

    /** @return whether the handle is the process listed; null when that could not be read */
    private Boolean sameProcess(WinNT.HANDLE process, long createTime, long pid) {
        boolean ok = api.kernel32.GetProcessTimes(process, times[0], times[1], times[2], times[3]);
        trace.win32("GetProcessTimes", ok, ok ? 0 : api.lastError.getAsInt(), pid);
        if (!ok) {
            return null;
        }
        long created = times[0].toDWordLong().longValue();
        if (created != createTime) {
            trace.outcome("GetProcessTimes", "CreateTime differs: pid reused", pid);
            return false;
        }
        return true;
    }

    /**
     * @param label         the owner label, "" when denied or failed
     * @param unresolvedSid the SID while the label is not a name yet, else ""
     * @param missing       the token could not be read for a reason other than access denied: try again later
     */
    private record Owner(String label, String unresolvedSid, boolean missing) {
        static final Owner DENIED = new Owner("", "", false);
        static final Owner FAILED = new Owner("", "", true);
    }

    private Owner owner(WinNT.HANDLE process, long pid) {
        if (!api.advapi32.OpenProcessToken(process, WinNT.TOKEN_QUERY, tokenRef)) {
            int error = api.lastError.getAsInt();
            trace.win32("OpenProcessToken", false, error, pid);
            return error == WinError.ERROR_ACCESS_DENIED ? Owner.DENIED : Owner.FAILED;
        }
        trace.win32("OpenProcessToken", true, 0, pid);
        WinNT.HANDLE token = tokenRef.getValue();
        try {
            boolean ok = api.advapi32.GetTokenInformation(token, WinNT.TOKEN_INFORMATION_CLASS.TokenUser, tokenUser,
                    TOKEN_USER_BYTES, tokenUserLength);
            trace.win32("GetTokenInformation(TokenUser)", ok, ok ? 0 : api.lastError.getAsInt(), pid);
            if (!ok) {
                return Owner.FAILED;
            }
            byte[] sid = sidBytes();
            if (sid == null) {
                trace.outcome("GetTokenInformation(TokenUser)", "malformed SID", pid);
                return Owner.FAILED;
            }
            String sidString = SidStrings.format(sid);
            String label = accounts.label(sidString, sid);
            if (label == null) {
                int error = accounts.lastError(sidString);
                trace.outcome("owner", error == 0 ? "account lookup still running: SID for now" : "SID: lookup failed", pid);
                return new Owner(sidString, sidString, false);
            }
            return new Owner(label, "", false);
        } finally {
            close(token, pid);
        }
    }

    /** The SID that TOKEN_USER.User.Sid points to, checked to lie inside our buffer; null when it does not. */
    private byte[] sidBytes() {
        Pointer base = tokenUser.getPointer();
        Pointer sid = base.getPointer(0); // TOKEN_USER.User.Sid
        if (sid == null) {
            return null;
        }
        long offset = Pointer.nativeValue(sid) - Pointer.nativeValue(base);
        if (offset < 16 || offset + 8 > TOKEN_USER_BYTES) {
            return null;
        }
        int length = SidStrings.length(base.getByte(offset), base.getByte(offset + 1));
        if (length < 0 || offset + length > TOKEN_USER_BYTES) {
            return null;
        }
        return base.getByteArray(offset, length);
    }

    /** As windows_exporter makes the label: up to the first NUL (Go's UTF16ToString), trimmed (strings.TrimSpace). */
    static String label(String commandLine) {
        int nul = commandLine.indexOf('\0');
        return CommandLines.trimSpace(nul < 0 ? commandLine : commandLine.substring(0, nul));
    }

    /** @param missing {@link ProcessDetails#CMDLINE} and {@link ProcessDetails#GROUP} when their read failed */
    private record PebRead(long processGroupId, String commandLine, int missing) {
    }

    /** The PEB's RTL_USER_PROCESS_PARAMETERS: ProcessGroupId, and the command line when asked for (as windows_exporter reads both). */
    private PebRead readPeb(WinNT.HANDLE process, long pid, boolean wantCmdline) {
        // the block of a process still being set up may not be there or readable yet: worth another try
        PebRead failed = new PebRead(0, null, ProcessDetails.GROUP | (wantCmdline ? ProcessDetails.CMDLINE : 0));
        int status = api.ntdll.NtQueryInformationProcess(process, PROCESS_BASIC_INFORMATION, small, PBI_BYTES, null);
        trace.ntstatus("NtQueryInformationProcess(ProcessBasicInformation)", status, pid);
        if (status != NtStatus.SUCCESS) {
            return failed;
        }
        long peb = small.getLong(PBI_PEB);
        if (peb == 0) {
            trace.outcome("PEB", "none (minimal process)", pid);
            return new PebRead(0, null, 0);
        }
        long parameters = read(process, peb + PEB_PROCESS_PARAMETERS, 8, pid) ? commandLine.getLong(0) : 0;
        boolean hasGroup = api.windows8OrLater.getAsBoolean();
        if (parameters == 0 || !read(process, parameters, hasGroup ? PARAMETERS_READ_BYTES : WINDOWS7_PARAMETERS_BYTES, pid)) {
            return failed;
        }
        long structLength = Integer.toUnsignedLong(commandLine.getInt(PARAMETERS_LENGTH));
        long group = hasGroup && structLength >= PARAMETERS_PROCESS_GROUP_ID + 4
                ? Integer.toUnsignedLong(commandLine.getInt(PARAMETERS_PROCESS_GROUP_ID)) : 0;
        if (!wantCmdline) {
            return new PebRead(group, null, 0);
        }
        int length = Short.toUnsignedInt(commandLine.getShort(PARAMETERS_COMMAND_LINE)) & ~1;
        long text = commandLine.getLong(PARAMETERS_COMMAND_LINE + 8);
        if (length == 0 || text == 0) {
            return new PebRead(group, "", 0);
        }
        if (!read(process, text, length, pid)) {
            return new PebRead(group, null, ProcessDetails.CMDLINE);
        }
        return new PebRead(group, new String(commandLine.getByteArray(0, length), StandardCharsets.UTF_16LE), 0);
    }

    /** Reads {@code bytes} at {@code address} in the other process into the start of {@link #commandLine}. */
    private boolean read(WinNT.HANDLE process, long address, int bytes, long pid) {
        if (address == 0 || bytes > COMMAND_LINE_BYTES - 16) {
            return false;
        }
        boolean ok = api.kernel32Extra.ReadProcessMemory(process, new Pointer(address), commandLine, bytes, small.share(48));
        trace.win32("ReadProcessMemory", ok, ok ? 0 : api.lastError.getAsInt(), pid);
        return ok && small.getLong(48) == bytes;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            accounts.close();
            commandLine.close();
            small.close();
        }
    }

    /** LookupAccountSid through jna-platform's Advapi32, sized for the longest names (UNLEN + 1). */
    static final class AccountLookup implements AccountNames.Lookup {
        private final WindowsApi api;
        private final NativeTrace trace;

        AccountLookup(WindowsApi api, NativeTrace trace) {
            this.api = api;
            this.trace = trace;
        }

        @Override
        public AccountNames.Result lookUp(byte[] sid) {
            WinNT.PSID psid = new WinNT.PSID(sid);
            int nameChars = ACCOUNT_CHARS;
            int domainChars = DOMAIN_CHARS;
            for (int attempt = 0; attempt < 2; attempt++) {
                char[] name = new char[nameChars];
                char[] domain = new char[domainChars];
                IntByReference nameLength = new IntByReference(nameChars);
                IntByReference domainLength = new IntByReference(domainChars);
                if (api.advapi32.LookupAccountSid(null, psid, name, nameLength, domain, domainLength, new PointerByReference())) {
                    trace.win32("LookupAccountSid", true, 0, SidStrings.format(sid));
                    // windows_exporter's order: account, then domain
                    return new AccountNames.Result(com.sun.jna.Native.toString(name) + "\\" + com.sun.jna.Native.toString(domain), 0);
                }
                int error = api.lastError.getAsInt();
                trace.win32("LookupAccountSid", false, error, SidStrings.format(sid));
                if (error != WinError.ERROR_INSUFFICIENT_BUFFER
                        || nameLength.getValue() <= 0 || nameLength.getValue() > 65_536
                        || domainLength.getValue() <= 0 || domainLength.getValue() > 65_536) {
                    return new AccountNames.Result(null, error);
                }
                nameChars = Math.max(nameChars, nameLength.getValue());
                domainChars = Math.max(domainChars, domainLength.getValue());
            }
            return new AccountNames.Result(null, WinError.ERROR_INSUFFICIENT_BUFFER);
        }
    }
}
