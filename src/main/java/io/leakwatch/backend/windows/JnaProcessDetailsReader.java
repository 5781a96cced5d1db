package io.leakwatch.backend.windows;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static io.leakwatch.backend.windows.WindowsApi.*;

/**
 * Owner and command line through a handle opened with PROCESS_QUERY_LIMITED_INFORMATION (granted
 * for most processes of other users), checked against the record's CreateTime so a reused pid is
 * not mistaken for the process we listed. Every handle is closed in a finally block; all scratch
 * memory is allocated once and freed in {@link #close()}. Access denied gives empty labels.
 */
final class JnaProcessDetailsReader implements ProcessDetailsReader {
    /** A command line is at most 32,767 UTF-16 units; the UNICODE_STRING header precedes it. */
    private static final int COMMAND_LINE_BYTES = 16 + 2 * 32_768;
    private static final int TOKEN_USER_BYTES = 256; // TOKEN_USER + a SID of at most 68 bytes
    private static final int ACCOUNT_CHARS = 256;
    // x64 offsets: PROCESS_BASIC_INFORMATION.PebBaseAddress, PEB.ProcessParameters,
    // RTL_USER_PROCESS_PARAMETERS.CommandLine (a UNICODE_STRING).
    private static final int PBI_BYTES = 48;
    private static final int PBI_PEB = 0x08;
    private static final int PEB_PROCESS_PARAMETERS = 0x20;
    private static final int PARAMETERS_COMMAND_LINE = 0x70;

    private final WindowsApi api;
    private final Map<String, String> accountsBySid = new HashMap<>();
    private final Memory commandLine = new Memory(COMMAND_LINE_BYTES);
    private final Memory tokenUser = new Memory(TOKEN_USER_BYTES);
    private final Memory small = new Memory(64); // handles, lengths, FILETIMEs, UNICODE_STRING headers
    private boolean closed;

    JnaProcessDetailsReader(WindowsApi api) {
        this.api = api;
    }

    @Override
    public ProcessDetails read(long pid, long createTime, boolean wantCmdline) {
        if (closed || pid <= 0 || pid > 0xFFFF_FFFFL) {
            return ProcessDetails.EMPTY;
        }
        Pointer process = api.kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, false, (int) pid);
        if (process == null) {
            return ProcessDetails.EMPTY; // access denied or already gone
        }
        try {
            if (!sameProcess(process, createTime)) {
                return ProcessDetails.EMPTY;
            }
            String cmdline = "";
            if (wantCmdline) {
                cmdline = commandLineFromNtQuery(process);
                if (cmdline == null) {
                    cmdline = commandLineFromPeb(pid, createTime);
                }
            }
            return new ProcessDetails(owner(process), cmdline);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return ProcessDetails.EMPTY; // a label is not worth failing the scrape over
        } finally {
            api.kernel32.CloseHandle(process);
        }
    }

    private boolean sameProcess(Pointer process, long createTime) {
        small.clear();
        if (!api.kernel32.GetProcessTimes(process, small, small.share(8), small.share(16), small.share(24))) {
            return false;
        }
        return small.getLong(0) == createTime;
    }

    private String owner(Pointer process) {
        small.clear();
        if (!api.advapi32.OpenProcessToken(process, TOKEN_QUERY, small)) {
            return "";
        }
        Pointer token = small.getPointer(0);
        try {
            if (!api.advapi32.GetTokenInformation(token, TOKEN_USER, tokenUser, TOKEN_USER_BYTES, small.share(8))) {
                return "";
            }
            Pointer sid = tokenUser.getPointer(0); // TOKEN_USER.User.Sid
            int length = sid == null ? 0 : api.advapi32.GetLengthSid(sid);
            if (length < 8 || length > 68) {
                return "";
            }
            byte[] sidBytes = sid.getByteArray(0, length);
            String key = HexFormat.of().formatHex(sidBytes);
            String cached = accountsBySid.get(key);
            if (cached == null) {
                cached = lookUpAccount(sid, sidBytes);
                accountsBySid.put(key, cached);
            }
            return cached;
        } finally {
            api.kernel32.CloseHandle(token);
        }
    }

    /** DOMAIN\account as Windows shows it; the SID string when no name resolves (deleted account). */
    private String lookUpAccount(Pointer sid, byte[] sidBytes) {
        char[] name = new char[ACCOUNT_CHARS];
        char[] domain = new char[ACCOUNT_CHARS];
        small.setInt(16, ACCOUNT_CHARS);
        small.setInt(20, ACCOUNT_CHARS);
        if (!api.advapi32.LookupAccountSidW(null, sid, name, small.share(16), domain, small.share(20), small.share(24))) {
            return SidStrings.format(sidBytes);
        }
        String account = Native16.string(name);
        String domainName = Native16.string(domain);
        return domainName.isEmpty() ? account : domainName + "\\" + account;
    }

    /** @return the command line, or null when this Windows lacks ProcessCommandLineInformation or refused it */
    private String commandLineFromNtQuery(Pointer process) {
        int status = api.ntdll.NtQueryInformationProcess(process, PROCESS_COMMAND_LINE_INFORMATION,
                commandLine, COMMAND_LINE_BYTES, small);
        if (status != NtStatus.SUCCESS) {
            return null;
        }
        int length = Short.toUnsignedInt(commandLine.getShort(0));
        long text = Pointer.nativeValue(commandLine.getPointer(8)) - Pointer.nativeValue(commandLine);
        if (length == 0) {
            return "";
        }
        if (text < 16 || text + length > COMMAND_LINE_BYTES) {
            return null;
        }
        return new String(commandLine.getByteArray(text, length), StandardCharsets.UTF_16LE);
    }

    /** Pre-8.1 fallback: the PEB's copy, which needs PROCESS_VM_READ as well. */
    private String commandLineFromPeb(long pid, long createTime) {
        Pointer process = api.kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, false, (int) pid);
        if (process == null) {
            return "";
        }
        try {
            if (!sameProcess(process, createTime)
                    || api.ntdll.NtQueryInformationProcess(process, PROCESS_BASIC_INFORMATION, commandLine, PBI_BYTES, small) != 0) {
                return "";
            }
            long peb = commandLine.getLong(PBI_PEB);
            long parameters = readPointer(process, peb + PEB_PROCESS_PARAMETERS);
            if (parameters == 0 || !read(process, parameters + PARAMETERS_COMMAND_LINE, 16)) {
                return "";
            }
            int length = Short.toUnsignedInt(commandLine.getShort(0)) & ~1;
            long text = commandLine.getLong(8);
            if (length == 0 || text == 0 || !read(process, text, length)) {
                return "";
            }
            return new String(commandLine.getByteArray(0, length), StandardCharsets.UTF_16LE);
        } finally {
            api.kernel32.CloseHandle(process);
        }
    }

    private long readPointer(Pointer process, long address) {
        return read(process, address, 8) ? commandLine.getLong(0) : 0;
    }

    /** Reads {@code bytes} at {@code address} in the other process into the start of {@link #commandLine}. */
    private boolean read(Pointer process, long address, int bytes) {
        if (address == 0 || bytes > COMMAND_LINE_BYTES) {
            return false;
        }
        return api.kernel32.ReadProcessMemory(process, new Pointer(address), commandLine, bytes, small.share(32));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            accountsBySid.clear();
            commandLine.close();
            tokenUser.close();
            small.close();
        }
    }
}
