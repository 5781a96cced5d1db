package io.leakwatch.backend.windows;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.IntByReference;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * The fake native layer under the Windows backend: jna-platform's Kernel32 and Advapi32 and our
 * own Ntdll and Kernel32Extra, as proxies over simulated processes (token, PEB, parameters block,
 * command line in their own address space), with Windows' rules: access rights per handle, the
 * error a call leaves for Native.getLastError, LookupAccountSid's buffer sizing, and handles that
 * must be closed. Kernel32.GetLastError() answers 0, as it may on Windows once other code has run
 * since the failed call: code that reads it instead of Native.getLastError gets the wrong error.
 */
final class FakeWindowsApi {
    static final long PEB = 0x7FF6_0000_0000L;
    static final long PARAMETERS = 0x0000_0200_0000_0000L;
    static final long COMMAND_LINE_TEXT = 0x0000_0200_0001_0000L;

    /** One simulated process. */
    static final class Process {
        final long pid;
        long createTime;
        byte[] sid;
        String commandLine = "";
        long processGroupId;
        boolean allowQueryLimited = true;
        /** PROCESS_QUERY_INFORMATION: refused for protected processes (csrss, smss, lsass under RunAsPPL), even to SYSTEM. */
        boolean allowQueryInformation = true;
        boolean allowVmRead = true;
        boolean allowToken = true;
        int parametersLength = 0x440; // RTL_USER_PROCESS_PARAMETERS.Length: Windows 10's
        /**
         * Windows 7's block: the structure ends at 0x400 (no PackageDependencyData, no ProcessGroupId),
         * the strings follow it in the same block, and Length counts them, so the bytes at 0x408 are text.
         */
        boolean windows7;
        boolean hasPeb = true;
        /**
         * The next this many reads of the parameters block fail with ERROR_PARTIAL_COPY, as for a
         * process that is still being set up (its block not yet mapped, or still holding offsets).
         */
        int failParameterReads;
        /** The next this many GetTokenInformation calls fail with ERROR_NO_SYSTEM_RESOURCES. */
        int failTokenInformation;

        Process(long pid, long createTime, byte[] sid) {
            this.pid = pid;
            this.createTime = createTime;
            this.sid = sid;
        }

        /** The process's address space: region start to bytes. */
        TreeMap<Long, byte[]> memory() {
            TreeMap<Long, byte[]> m = new TreeMap<>();
            if (!hasPeb) {
                return m;
            }
            byte[] peb = new byte[0x40];
            java.nio.ByteBuffer.wrap(peb).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0x20, PARAMETERS);
            m.put(PEB, peb);
            byte[] text = commandLine.getBytes(StandardCharsets.UTF_16LE);
            if (windows7) {
                byte[] block = new byte[0x400 + text.length + 2];
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(block).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.putInt(0, block.length).putInt(4, block.length);
                b.putShort(0x70, (short) text.length).putShort(0x72, (short) (text.length + 2)).putLong(0x78, PARAMETERS + 0x400);
                System.arraycopy(text, 0, block, 0x400, text.length);
                m.put(PARAMETERS, block);
                return m;
            }
            byte[] params = new byte[Math.max(parametersLength, 0x80)];
            java.nio.ByteBuffer p = java.nio.ByteBuffer.wrap(params).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            p.putInt(0, parametersLength).putInt(4, parametersLength);
            p.putShort(0x70, (short) text.length).putShort(0x72, (short) (text.length + 2)).putLong(0x78, COMMAND_LINE_TEXT);
            if (parametersLength >= 0x40C) {
                p.putInt(0x408, (int) processGroupId);
            }
            m.put(PARAMETERS, params);
            m.put(COMMAND_LINE_TEXT, text);
            return m;
        }
    }

    /** An account as LookupAccountSid knows it; a blocked lookup waits on {@code gate}. */
    record Account(String name, String domain, int error, CountDownLatch gate) {
    }

    final Map<Long, Process> processes = new LinkedHashMap<>();
    final Map<String, Account> accounts = new HashMap<>();
    final Map<String, Integer> calls = new TreeMap<>();
    final List<String> lookups = new ArrayList<>();
    /** Handle value to what it refers to: "process:<pid>:<access>" or "token:<pid>". */
    final Map<Long, String> openHandles = new LinkedHashMap<>();
    boolean elevated = true;
    /** The machine's Windows: false for Windows 7 / Server 2008 R2. */
    volatile boolean windows8OrLater = true;
    volatile int lastError;
    private long nextHandle = 0x100;

    final WindowsApi api = new WindowsApi(proxy(WindowsApi.Kernel32Calls.class), proxy(WindowsApi.Advapi32Calls.class), proxy(WindowsApi.Ntdll.class),
            proxy(WindowsApi.Kernel32Extra.class), () -> lastError, () -> windows8OrLater);

    Process add(long pid, long createTime, String sid) {
        Process p = new Process(pid, createTime, sidBytes(sid));
        processes.put(pid, p);
        return p;
    }

    void account(String sid, String name, String domain) {
        accounts.put(sid, new Account(name, domain, 0, null));
    }

    /** Binary SID from its string form (decimal authority only). */
    static byte[] sidBytes(String sid) {
        String[] parts = sid.split("-");
        int subs = parts.length - 3;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 4 * subs);
        b.put((byte) 1).put((byte) subs);
        long authority = Long.parseLong(parts[2]);
        for (int i = 5; i >= 0; i--) {
            b.put((byte) (authority >>> (8 * i)));
        }
        b.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 3; i < parts.length; i++) {
            b.putInt((int) Long.parseLong(parts[i]));
        }
        return b.array();
    }

    @SuppressWarnings("unchecked")
    private <T> T proxy(Class<T> type) {
        InvocationHandler handler = (self, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.getName().equals("toString") ? "fake " + type.getSimpleName() : method.invoke(this, args);
            }
            synchronized (this) {
                calls.merge(method.getName(), 1, Integer::sum);
            }
            return call(method, args == null ? new Object[0] : args);
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, handler);
    }

    private Object call(Method method, Object[] a) throws Exception {
        switch (method.getName()) {
            case "GetLastError":
                return 0; // already reset by the time anyone asks
            case "GetCurrentProcess":
                return new WinNT.HANDLE(Pointer.createConstant(-1L));
            case "OpenProcess":
                return openProcess((Integer) a[0], (Integer) a[2]);
            case "CloseHandle":
                return closeHandle((WinNT.HANDLE) a[0]);
            case "GetProcessTimes":
                return processTimes((WinNT.HANDLE) a[0], (WinBase.FILETIME) a[1]);
            case "OpenProcessToken":
                return openToken((WinNT.HANDLE) a[0], (WinNT.HANDLEByReference) a[2]);
            case "GetTokenInformation":
                return tokenUser((WinNT.HANDLE) a[0], (Integer) a[1], (Structure) a[2], (Integer) a[3], (IntByReference) a[4]);
            case "LookupAccountSid":
                return lookupAccountSid((WinNT.PSID) a[1], (char[]) a[2], (IntByReference) a[3], (char[]) a[4], (IntByReference) a[5]);
            case "LookupPrivilegeValue":
                return true;
            case "AdjustTokenPrivileges":
                lastError = elevated ? 0 : WinError.ERROR_NOT_ALL_ASSIGNED;
                return true;
            case "NtQueryInformationProcess":
                return queryInformationProcess((WinNT.HANDLE) a[0], (Integer) a[1], (Pointer) a[2], (Integer) a[3]);
            case "ReadProcessMemory":
                return readProcessMemory((WinNT.HANDLE) a[0], (Pointer) a[1], (Pointer) a[2], (Long) a[3], (Pointer) a[4]);
            default:
                throw new UnsupportedOperationException("the fake does not implement " + method);
        }
    }

    private synchronized WinNT.HANDLE newHandle(String what) {
        long value = nextHandle;
        nextHandle += 4;
        openHandles.put(value, what);
        return new WinNT.HANDLE(new Pointer(value));
    }

    private synchronized String target(WinNT.HANDLE handle) {
        return handle == null ? null : openHandles.get(Pointer.nativeValue(handle.getPointer()));
    }

    private Object openProcess(int access, int pid) {
        Process p = processes.get((long) pid);
        if (p == null) {
            lastError = WinError.ERROR_INVALID_PARAMETER;
            return null;
        }
        if (!p.allowQueryLimited || ((access & WinNT.PROCESS_VM_READ) != 0 && !p.allowVmRead)
                || ((access & WinNT.PROCESS_QUERY_INFORMATION) != 0 && !p.allowQueryInformation)) {
            lastError = WinError.ERROR_ACCESS_DENIED;
            return null;
        }
        return newHandle("process:" + pid + ":" + access);
    }

    private boolean closeHandle(WinNT.HANDLE handle) {
        synchronized (this) {
            if (openHandles.remove(Pointer.nativeValue(handle.getPointer())) != null) {
                return true;
            }
        }
        lastError = 6; // ERROR_INVALID_HANDLE
        return false;
    }

    private Process processOf(WinNT.HANDLE handle) {
        String t = target(handle);
        return t == null || !t.startsWith("process:") ? null : processes.get(Long.parseLong(t.split(":")[1]));
    }

    private boolean hasAccess(WinNT.HANDLE handle, int right) {
        String t = target(handle);
        return t != null && (Integer.parseInt(t.split(":")[2]) & right) != 0;
    }

    private boolean processTimes(WinNT.HANDLE handle, WinBase.FILETIME creation) {
        Process p = processOf(handle);
        if (p == null) {
            lastError = 6;
            return false;
        }
        creation.dwHighDateTime = (int) (p.createTime >>> 32);
        creation.dwLowDateTime = (int) p.createTime;
        return true;
    }

    private boolean openToken(WinNT.HANDLE handle, WinNT.HANDLEByReference token) {
        if (Pointer.nativeValue(handle.getPointer()) == -1) { // GetCurrentProcess()
            token.setValue(newHandle("token:self"));
            return true;
        }
        Process p = processOf(handle);
        if (p == null || !p.allowToken) {
            lastError = p == null ? 6 : WinError.ERROR_ACCESS_DENIED;
            return false;
        }
        token.setValue(newHandle("token:" + p.pid));
        return true;
    }

    private boolean tokenUser(WinNT.HANDLE token, int infoClass, Structure buffer, int length, IntByReference returned) {
        String t = target(token);
        if (t == null || !t.startsWith("token:") || infoClass != WinNT.TOKEN_INFORMATION_CLASS.TokenUser) {
            lastError = 6;
            return false;
        }
        Process owner = processes.get(Long.parseLong(t.substring(6)));
        if (owner.failTokenInformation > 0) {
            owner.failTokenInformation--;
            lastError = 1450; // ERROR_NO_SYSTEM_RESOURCES
            return false;
        }
        byte[] sid = owner.sid;
        int needed = 16 + sid.length;
        returned.setValue(needed);
        if (buffer == null || length < needed) {
            lastError = WinError.ERROR_INSUFFICIENT_BUFFER;
            return false;
        }
        Pointer base = buffer.getPointer();
        base.setPointer(0, base.share(16));
        base.setInt(8, 0);
        base.write(16, sid, 0, sid.length);
        buffer.read(); // JNA reads a Structure argument back after the call
        return true;
    }

    private boolean lookupAccountSid(WinNT.PSID psid, char[] name, IntByReference nameLength, char[] domain,
                                     IntByReference domainLength) throws InterruptedException {
        Pointer p = psid.getPointer();
        byte[] sid = p.getByteArray(0, 8 + 4 * (p.getByte(1) & 0xFF));
        String key = SidStrings.format(sid);
        synchronized (this) {
            lookups.add(key);
        }
        Account account = accounts.get(key);
        if (account == null) {
            lastError = WinError.ERROR_NONE_MAPPED;
            return false;
        }
        if (account.gate() != null) {
            account.gate().await();
        }
        if (account.error() != 0) {
            lastError = account.error();
            return false;
        }
        if (nameLength.getValue() < account.name().length() + 1 || domainLength.getValue() < account.domain().length() + 1
                || name == null || domain == null) {
            nameLength.setValue(account.name().length() + 1);
            domainLength.setValue(account.domain().length() + 1);
            lastError = WinError.ERROR_INSUFFICIENT_BUFFER;
            return false;
        }
        account.name().getChars(0, account.name().length(), name, 0);
        name[account.name().length()] = 0;
        account.domain().getChars(0, account.domain().length(), domain, 0);
        domain[account.domain().length()] = 0;
        nameLength.setValue(account.name().length());
        domainLength.setValue(account.domain().length());
        return true;
    }

    private int queryInformationProcess(WinNT.HANDLE handle, int infoClass, Pointer buffer, int length) {
        Process p = processOf(handle);
        if (p == null) {
            return 0xC0000008; // STATUS_INVALID_HANDLE
        }
        if (infoClass == WindowsApi.PROCESS_BASIC_INFORMATION) {
            if (length < 48) {
                return 0xC0000004;
            }
            buffer.clear(48);
            buffer.setLong(8, p.hasPeb ? PEB : 0);
            buffer.setLong(32, p.pid);
            return 0;
        }
        return 0xC0000003;
    }

    private boolean readProcessMemory(WinNT.HANDLE handle, Pointer address, Pointer out, long size, Pointer bytesRead) {
        Process p = processOf(handle);
        if (p == null || !hasAccess(handle, WinNT.PROCESS_VM_READ)) {
            lastError = p == null ? 6 : WinError.ERROR_ACCESS_DENIED;
            return false;
        }
        long at = Pointer.nativeValue(address);
        if (at == PARAMETERS && p.failParameterReads > 0) {
            p.failParameterReads--;
            lastError = WinError.ERROR_PARTIAL_COPY;
            if (bytesRead != null) {
                bytesRead.setLong(0, 0);
            }
            return false;
        }
        Map.Entry<Long, byte[]> region = p.memory().floorEntry(at);
        if (region == null || at + size > region.getKey() + region.getValue().length) {
            lastError = WinError.ERROR_PARTIAL_COPY;
            if (bytesRead != null) {
                bytesRead.setLong(0, 0);
            }
            return false;
        }
        out.write(0, region.getValue(), (int) (at - region.getKey()), (int) size);
        if (bytesRead != null) {
            bytesRead.setLong(0, size);
        }
        return true;
    }
}
