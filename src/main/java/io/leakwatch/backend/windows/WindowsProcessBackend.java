package io.leakwatch.backend.windows;

import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every process in one NtQuerySystemInformation(SystemProcessInformation) call per scrape. The
 * numbers all come from that one buffer; only owner and command line need a process handle, and
 * they are read once per process lifetime (pid + CreateTime), not on every scrape.
 */
public final class WindowsProcessBackend implements ProcessBackend {
    private static final Logger LOG = LoggerFactory.getLogger(WindowsProcessBackend.class);

    private final ProcessInformationBuffer buffer;
    private final ProcessDetailsReader details;
    private final boolean readCmdline;
    private final boolean iisAppPools;
    private final Map<Long, KnownProcess> known = new HashMap<>();
    private ProcessFilter cachedFilter;
    private long generation;
    private boolean reportedMalformed;

    /** Static facts of one process lifetime. */
    private static final class KnownProcess {
        final long createTime;
        final String name;
        final boolean selected;
        ProcessDetails details; // null until first needed
        ProcessInfo info; // null until the first sample
        long seenInGeneration;

        KnownProcess(long createTime, String name, boolean selected, ProcessDetails details) {
            this.createTime = createTime;
            this.name = name;
            this.selected = selected;
            this.details = details;
        }
    }

    /**
     * @param buffer      the reused native buffer and its size negotiation
     * @param details     owner and command line through a process handle
     * @param readCmdline fill the cmdline label
     * @param iisAppPools name w3wp processes {@code w3wp_<AppPool>}
     */
    public WindowsProcessBackend(ProcessInformationBuffer buffer, ProcessDetailsReader details,
                                 boolean readCmdline, boolean iisAppPools) {
        this.buffer = buffer;
        this.details = details;
        this.readCmdline = readCmdline;
        this.iisAppPools = iisAppPools;
    }

    /**
     * The backend over the real Windows APIs. Only call this on Windows.
     *
     * @throws IllegalArgumentException with a one-line reason when the APIs cannot be used here
     */
    public static WindowsProcessBackend open(boolean readCmdline, boolean iisAppPools) {
        NativeTrace trace = new NativeTrace();
        WindowsApi api = loadApi();
        DebugPrivilege.Result debug = DebugPrivilege.enable(api, trace);
        if (debug == DebugPrivilege.Result.NOT_HELD) {
            LOG.info("SeDebugPrivilege not held (not elevated): other users' processes may lack owner, command line"
                    + " and process group; run elevated or as the service to see them");
        }
        return new WindowsProcessBackend(new ProcessInformationBuffer(api::querySystemProcessInformation, trace),
                new JnaProcessDetailsReader(api, trace), readCmdline, iisAppPools);
    }

    /**
     * Loads JNA and the DLLs, turning every way that fails into one line: JNA's own native library
     * missing or not unpackable (UnsatisfiedLinkError from Native's static initializer, then
     * NoClassDefFoundError on the next use), a 32-bit Java, or DLLs that are not there.
     */
    static WindowsApi loadApi() {
        try {
            if (com.sun.jna.Native.POINTER_SIZE != 8) {
                throw new IllegalArgumentException("the Windows backend needs a 64-bit Java (this one is 32-bit)");
            }
            return WindowsApi.load();
        } catch (LinkageError e) {
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new IllegalArgumentException("cannot load ntdll/kernel32/advapi32 through JNA: " + reason);
        }
    }

    @Override
    public String name() {
        return "windows-ntquerysysteminformation";
    }

    /** Synchronized with {@link #close()}: the native buffer must not be freed while it is parsed. */
    @Override
    public synchronized ProcessSnapshot collect(ProcessFilter filter) throws BackendException {
        if (filter != cachedFilter) {
            known.clear(); // selection decisions are cached with the static facts
            cachedFilter = filter;
        }
        ProcessInformationBuffer.Filled filled = buffer.fill();
        SpiParse parse = SpiParser.parse(filled.bytes(), filled.length(), filled.baseAddress());
        if (parse.malformed() > 0 && !reportedMalformed) {
            reportedMalformed = true; // once: a kernel that writes this once will write it every scrape
            LOG.warn("skipped {} malformed SYSTEM_PROCESS_INFORMATION record(s): {}", parse.malformed(), parse.problem());
        }
        generation++;
        List<ProcessSample> samples = new ArrayList<>(parse.records().size());
        for (SpiRecord record : parse.records()) {
            ProcessSample sample = sample(record, filter);
            if (sample != null) {
                samples.add(sample);
            }
        }
        known.values().removeIf(p -> p.seenInGeneration != generation);
        return new ProcessSnapshot(samples, 0, parse.malformed());
    }

    /** @return the sample, or null when the filter does not select the process */
    private ProcessSample sample(SpiRecord r, ProcessFilter filter) {
        KnownProcess process = known.get(r.pid());
        if (process == null || process.createTime != r.createTime()) {
            process = discover(r, filter);
            known.put(r.pid(), process);
        }
        process.seenInGeneration = generation;
        if (!process.selected) {
            return null;
        }
        if (process.info == null) {
            if (process.details == null) {
                process.details = readDetails(r);
            }
            process.info = ProcessInfo.of(process.name, r.pid(), r.parentPid(), r.sessionId(),
                    process.details.owner(), readCmdline ? process.details.cmdline() : "",
                    WindowsTime.unixSeconds(r.createTime()));
        } else {
            process.info = process.info.withParentAndGroup(r.parentPid(), r.sessionId());
        }
        return toSample(r, process.info);
    }

    private KnownProcess discover(SpiRecord r, ProcessFilter filter) {
        String name = WindowsProcessNames.of(r.pid(), r.imageName());
        ProcessDetails processDetails = null;
        if (iisAppPools && IisAppPools.isWorkerProcess(name)) {
            // The pool is part of the name, so it must be known before the filter decides.
            processDetails = details.read(r.pid(), r.createTime(), true);
            name = IisAppPools.processName(name, processDetails.cmdline());
        }
        return new KnownProcess(r.createTime(), name, filter.selects(name), processDetails);
    }

    private ProcessDetails readDetails(SpiRecord r) {
        if (r.pid() == 0) {
            return ProcessDetails.EMPTY; // the Idle process cannot be opened
        }
        return details.read(r.pid(), r.createTime(), readCmdline);
    }

    static ProcessSample toSample(SpiRecord r, ProcessInfo info) {
        return new ProcessSample(
                info,
                WindowsTime.seconds(r.userTime()),
                WindowsTime.seconds(r.kernelTime()),
                r.handleCount(),
                r.threads(),
                r.basePriority(),
                r.readTransferCount(),
                r.writeTransferCount(),
                r.otherTransferCount(),
                r.readOperationCount(),
                r.writeOperationCount(),
                r.otherOperationCount(),
                r.pageFaultCount(),
                r.pagefileUsage(),
                r.quotaPagedPoolUsage(),
                r.quotaNonPagedPoolUsage(),
                r.privatePageCount(),
                r.virtualSize(),
                r.workingSetPrivateSize(),
                r.peakWorkingSetSize(),
                r.workingSetSize());
    }

    @Override
    public synchronized void close() {
        known.clear();
        buffer.close();
        details.close();
    }

    /** For tests: process lifetimes cached. */
    int cachedProcesses() {
        return known.size();
    }
}
