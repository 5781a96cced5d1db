package io.leakwatch.backend.windows;

import io.leakwatch.model.ProcessBackend.BackendException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * {@code leakwatch diagnose} on Windows: runs every native call the backend makes once, over all
 * processes, and says what each returned (NTSTATUS and Win32 codes), the buffer sizes, how many
 * processes got an owner, a command line and a process group, and which record fields were zero.
 * Only counts: no other process's owner or command line is printed, so the output can be pasted
 * into an issue.
 */
public final class WindowsDiagnosis {
    /** How long to give account lookups still running after the pass over all processes. */
    static final long LOOKUP_GRACE_MILLIS = 2_000;

    private static final Map<String, ToLongFunction<SpiRecord>> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("NumberOfThreads", SpiRecord::threads);
        FIELDS.put("WorkingSetPrivateSize", SpiRecord::workingSetPrivateSize);
        FIELDS.put("CreateTime", SpiRecord::createTime);
        FIELDS.put("UserTime", SpiRecord::userTime);
        FIELDS.put("KernelTime", SpiRecord::kernelTime);
        FIELDS.put("BasePriority", SpiRecord::basePriority);
        FIELDS.put("InheritedFromUniqueProcessId", SpiRecord::parentPid);
        FIELDS.put("HandleCount", SpiRecord::handleCount);
        FIELDS.put("SessionId", SpiRecord::sessionId);
        FIELDS.put("VirtualSize", SpiRecord::virtualSize);
        FIELDS.put("PageFaultCount", SpiRecord::pageFaultCount);
        FIELDS.put("PeakWorkingSetSize", SpiRecord::peakWorkingSetSize);
        FIELDS.put("WorkingSetSize", SpiRecord::workingSetSize);
        FIELDS.put("QuotaPagedPoolUsage", SpiRecord::quotaPagedPoolUsage);
        FIELDS.put("QuotaNonPagedPoolUsage", SpiRecord::quotaNonPagedPoolUsage);
        FIELDS.put("PagefileUsage", SpiRecord::pagefileUsage);
        FIELDS.put("PrivatePageCount", SpiRecord::privatePageCount);
        FIELDS.put("ReadOperationCount", SpiRecord::readOperationCount);
        FIELDS.put("WriteOperationCount", SpiRecord::writeOperationCount);
        FIELDS.put("OtherOperationCount", SpiRecord::otherOperationCount);
        FIELDS.put("ReadTransferCount", SpiRecord::readTransferCount);
        FIELDS.put("WriteTransferCount", SpiRecord::writeTransferCount);
        FIELDS.put("OtherTransferCount", SpiRecord::otherTransferCount);
    }

    private WindowsDiagnosis() {
    }

    /** Over the real APIs. Only call this on Windows; a failure to load them is reported, not thrown. */
    public static List<String> run(boolean cmdline) {
        List<String> out = new ArrayList<>();
        out.add("JNA " + com.sun.jna.Native.VERSION + ", jnidispatch " + System.getProperty("jnidispatch.path", "(not loaded yet)")
                + ", jna.boot.library.path=" + System.getProperty("jna.boot.library.path", "") + ", jna.nounpack="
                + System.getProperty("jna.nounpack", "false"));
        WindowsApi api;
        try {
            api = WindowsProcessBackend.loadApi();
        } catch (IllegalArgumentException e) {
            out.add("load: " + e.getMessage());
            return out;
        }
        out.add("load: ntdll, kernel32, advapi32 loaded; jnidispatch " + System.getProperty("jnidispatch.path", "?"));
        NativeTrace trace = new NativeTrace();
        try (JnaProcessDetailsReader reader = new JnaProcessDetailsReader(api, trace)) {
            out.addAll(run(api, api::querySystemProcessInformation, reader, trace, cmdline, ProcessHandle.current().pid()));
        }
        return out;
    }

    /** Over any API, the fake native layer in tests. */
    static List<String> run(WindowsApi api, SystemInformationCall call, ProcessDetailsReader reader, NativeTrace trace,
                            boolean cmdline, long ownPid) {
        List<String> out = new ArrayList<>();
        out.add("SeDebugPrivilege: " + DebugPrivilege.enable(api, trace));
        SpiParse parse; // plain Java values: the native buffer is not needed after parsing
        try (ProcessInformationBuffer buffer = new ProcessInformationBuffer(call, trace)) {
            try {
                ProcessInformationBuffer.Filled filled = buffer.fill();
                parse = SpiParser.parse(filled.bytes(), filled.length(), filled.baseAddress());
                callLines(buffer, out);
                out.add("NtQuerySystemInformation: " + filled.length() + " bytes used of a " + buffer.capacity() + "-byte buffer");
            } catch (BackendException e) {
                callLines(buffer, out);
                out.add("NtQuerySystemInformation: failed: " + e.getMessage());
                return out;
            }
        }
        List<SpiRecord> records = parse.records();
        out.add("records: " + records.size() + ", malformed " + parse.malformed()
                + (parse.problem() == null || parse.problem().isEmpty() ? "" : " (" + parse.problem() + ")"));
        List<String> allZero = new ArrayList<>();
        List<SpiRecord> counted = records.stream().filter(r -> r.pid() != 0).toList(); // all but Idle
        long of = counted.size();
        for (Map.Entry<String, ToLongFunction<SpiRecord>> field : FIELDS.entrySet()) {
            long zero = counted.stream().mapToLong(field.getValue()).filter(v -> v == 0).count();
            out.add("field " + field.getKey() + ": 0 in " + zero + " of " + of + " records (Idle not counted)");
            if (of > 0 && zero == of) {
                allZero.add(field.getKey());
            }
        }
        out.add("fields 0 in every record: " + (allZero.isEmpty() ? "none" : String.join(", ", allZero)));
        SpiRecord own = records.stream().filter(r -> r.pid() == ownPid).findFirst().orElse(null);
        out.add(own == null ? "leakwatch's own pid " + ownPid + ": NOT in the records"
                : "leakwatch's own pid " + ownPid + ": " + WindowsProcessNames.of(own.pid(), own.imageName())
                + ", WorkingSetPrivateSize " + own.workingSetPrivateSize() + ", PrivatePageCount " + own.privatePageCount()
                + ", HandleCount " + own.handleCount() + ", NumberOfThreads " + own.threads());

        int opened = 0;
        int owners = 0;
        int ownerNames = 0;
        int commandLines = 0;
        int groups = 0;
        List<ProcessDetails> details = new ArrayList<>();
        for (SpiRecord r : records) {
            if (r.pid() == 0) {
                continue;
            }
            ProcessDetails d = reader.read(r.pid(), r.createTime(), cmdline);
            details.add(d);
            if (r.pid() == ownPid) {
                out.add("leakwatch's own details: owner '" + d.owner() + "', command line " + d.cmdline().length()
                        + " characters, process group " + d.processGroupId());
            }
        }
        long deadline = System.nanoTime() + LOOKUP_GRACE_MILLIS * 1_000_000;
        for (int i = 0; i < details.size(); i++) {
            ProcessDetails d = details.get(i);
            while (!d.unresolvedSid().isEmpty() && reader.accountName(d.unresolvedSid()) == null && System.nanoTime() < deadline) {
                sleep();
            }
            if (!d.unresolvedSid().isEmpty() && reader.accountName(d.unresolvedSid()) != null) {
                d = d.withOwner(reader.accountName(d.unresolvedSid()));
            }
            if (!d.equals(ProcessDetails.EMPTY)) {
                opened++;
            }
            if (!d.owner().isEmpty()) {
                owners++;
                if (d.unresolvedSid().isEmpty()) {
                    ownerNames++;
                }
            }
            if (!d.cmdline().isEmpty()) {
                commandLines++;
            }
            if (d.processGroupId() != 0) {
                groups++;
            }
        }
        int n = details.size();
        out.add("details: " + opened + " of " + n + " processes gave something");
        out.add("owner: " + owners + " of " + n + " (" + ownerNames + " as account names, " + (owners - ownerNames) + " as SIDs)");
        out.add("cmdline: " + commandLines + " of " + n + (cmdline ? "" : " (--no-collector.process.cmdline: not read)"));
        out.add("process_group_id: non-zero for " + groups + " of " + n);
        for (Map.Entry<String, Map<String, Long>> e : trace.counts().entrySet()) {
            StringBuilder line = new StringBuilder("call ").append(e.getKey()).append(':');
            e.getValue().forEach((outcome, count) -> line.append(' ').append(outcome).append(" x").append(count).append(';'));
            out.add(line.substring(0, line.length() - 1));
        }
        return out;
    }

    private static void callLines(ProcessInformationBuffer buffer, List<String> out) {
        for (ProcessInformationBuffer.Call c : buffer.lastCalls()) {
            out.add("NtQuerySystemInformation(SystemProcessInformation): buffer " + c.bufferBytes() + " bytes -> "
                    + NativeTrace.ntstatusText(c.status()) + ", returnLength " + c.returnLength());
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
