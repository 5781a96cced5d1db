package io.leakwatch.backend.windows;

import io.leakwatch.model.LifetimeCache;
import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Every process in one NtQuerySystemInformation(SystemProcessInformation) call per scrape. The
 * numbers all come from that one buffer; only owner, command line and process group need a process
 * handle, and they are read once per process lifetime (pid + CreateTime), not on every scrape. An
 * owner whose account name was not known yet (a slow or failed LookupAccountSid) is looked up
 * again, from the cache, on later scrapes until it is. A read that failed or came back partial is
 * done again after 10 s, 1 min and 5 min ({@link #RETRY_DELAYS_MILLIS}), at most
 * {@link #MAX_RETRIES_PER_SCRAPE} processes per scrape.
 */
public final class WindowsProcessBackend implements ProcessBackend {
    private static final Logger LOG = LoggerFactory.getLogger(WindowsProcessBackend.class);

    private final ProcessInformationBuffer buffer;
    private final ProcessDetailsReader details;
    private final ProcessFilter filter;
    private final boolean readCmdline;
    private final boolean iisAppPools;
    private final LongSupplier clockMillis;
    /**
     * A read that failed or came back partial is tried again after these delays, then kept as it is:
     * a process still being set up has its block a moment later; one that fails for good costs three
     * more reads in its life, not one per scrape.
     */
    static final List<Long> RETRY_DELAYS_MILLIS = List.of(10_000L, 60_000L, 300_000L);
    /** At most this many processes are read again in one scrape, however many are due. */
    static final int MAX_RETRIES_PER_SCRAPE = 32;
    private final LifetimeCache<Long, KnownProcess> known = new LifetimeCache<>();
    private boolean reportedMalformed;
    private int retryBudget; // reads again left in this scrape
    private long scrapeMillis; // clockMillis when this scrape began

    /** Static facts of one process lifetime. */
    private static final class KnownProcess {
        String name; // w3wp becomes w3wp_<AppPool> once its command line is read
        final String imageName; // the name as selection sees it
        final boolean selected;
        final boolean iisWorker; // its command line names its pool, even when the cmdline label is off
        ProcessDetails details; // null until first needed
        int retries; // reads again so far, for the parts that were missing
        long retryAt; // when the next one is due (clockMillis)
        ProcessInfo info; // null until the first sample

        KnownProcess(String name, boolean selected, boolean iisWorker) {
            this.name = name;
            this.imageName = name;
            this.selected = selected;
            this.iisWorker = iisWorker;
        }
    }

    /**
     * @param buffer      the reused native buffer and its size negotiation
     * @param details     owner and command line through a process handle
     * @param filter      the processes to read
     * @param readCmdline fill the cmdline label
     * @param iisAppPools name w3wp processes {@code w3wp_<AppPool>}
     */
    public WindowsProcessBackend(ProcessInformationBuffer buffer, ProcessDetailsReader details, ProcessFilter filter,
                                 boolean readCmdline, boolean iisAppPools) {
        this(buffer, details, filter, readCmdline, iisAppPools, () -> System.nanoTime() / 1_000_000);
    }

    /** @param clockMillis a monotonic clock in milliseconds (tests move it) */
    WindowsProcessBackend(ProcessInformationBuffer buffer, ProcessDetailsReader details, ProcessFilter filter,
                          boolean readCmdline, boolean iisAppPools, LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.buffer = buffer;
        this.details = details;
        this.filter = filter;
        this.readCmdline = readCmdline;
        this.iisAppPools = iisAppPools;
    }

    /**
     * The backend over the real Windows APIs. Only call this on Windows.
     *
     * @throws IllegalArgumentException with a one-line reason when the APIs cannot be used here
     */
    public static WindowsProcessBackend open(ProcessFilter filter, boolean readCmdline, boolean iisAppPools) {
        NativeTrace trace = new NativeTrace();
        WindowsApi api = loadApi();
        DebugPrivilege.Result debug = DebugPrivilege.enable(api, trace);
        if (debug == DebugPrivilege.Result.NOT_HELD) {
            LOG.info("SeDebugPrivilege not held (not elevated): other users' processes may lack owner, command line"
                    + " and process group; run elevated or as the service to see them");
        }
        return new WindowsProcessBackend(new ProcessInformationBuffer(api::querySystemProcessInformation, trace),
                new JnaProcessDetailsReader(api, trace), filter, readCmdline, iisAppPools);
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
    public synchronized ProcessSnapshot collect() throws BackendException {
        ProcessInformationBuffer.Filled filled = buffer.fill();
        SpiParse parse = SpiParser.parse(filled.bytes(), filled.length(), filled.baseAddress());
        if (parse.malformed() > 0 && !reportedMalformed) {
            reportedMalformed = true; // once: a kernel that writes this once will write it every scrape
            LOG.warn("skipped {} malformed SYSTEM_PROCESS_INFORMATION record(s): {}", parse.malformed(), parse.problem());
        }
        List<ProcessSample> samples = new ArrayList<>(parse.records().size());
        retryBudget = MAX_RETRIES_PER_SCRAPE;
        scrapeMillis = clockMillis.getAsLong();
        for (SpiRecord record : parse.records()) {
            ProcessSample sample = sample(record);
            if (sample != null) {
                samples.add(sample);
            }
        }
        known.sweep();
        return new ProcessSnapshot(samples, 0, parse.malformed());
    }

    /** @return the sample, or null when the filter does not select the process */
    private ProcessSample sample(SpiRecord r) {
        KnownProcess process = known.get(r.pid(), r.createTime());
        if (process == null) {
            process = discover(r);
            known.put(r.pid(), r.createTime(), process);
        }
        if (!process.selected) {
            return null;
        }
        boolean iisWorker = process.iisWorker;
        if (process.details == null) {
            process.details = readDetails(r, iisWorker);
            process.retryAt = scrapeMillis + RETRY_DELAYS_MILLIS.get(0);
            if (iisWorker) {
                process.name = IisAppPools.processName(process.name, process.details.cmdline());
            }
        } else if (process.details.missing() != 0 && process.retries < RETRY_DELAYS_MILLIS.size()
                && retryBudget > 0 && scrapeMillis >= process.retryAt) {
            retryBudget--;
            process.retries++;
            if (process.retries < RETRY_DELAYS_MILLIS.size()) {
                process.retryAt = scrapeMillis + RETRY_DELAYS_MILLIS.get(process.retries);
            }
            ProcessDetails completed = process.details.completedBy(readDetails(r, iisWorker));
            if (!completed.equals(process.details)) {
                process.details = completed;
                process.info = null; // labels change once more, to what could not be read before
                if (iisWorker) {
                    process.name = IisAppPools.processName(process.imageName, completed.cmdline());
                }
            }
        } else if (!process.details.unresolvedSid().isEmpty()) {
            String account = details.accountName(process.details.unresolvedSid());
            if (account != null) {
                process.details = process.details.withOwner(account);
                process.info = null; // the owner label changes once, from the SID to the name
            }
        }
        if (process.info == null) {
            process.info = ProcessInfo.of(process.name, r.pid(), r.parentPid(), process.details.processGroupId(),
                    process.details.owner(), readCmdline ? process.details.cmdline() : "",
                    WindowsTime.unixSeconds(r.createTime()));
        } else {
            process.info = process.info.withParentAndGroup(r.parentPid(), process.info.processGroupId());
        }
        return toSample(r, process.info);
    }

    /**
     * Selection sees the plain image name, as windows_exporter's include/exclude do: with
     * --collector.process.iis a worker is still selected as {@code w3wp}, and only its label
     * becomes {@code w3wp_<AppPool>} (read with the details, once it is selected).
     */
    private KnownProcess discover(SpiRecord r) {
        String name = WindowsProcessNames.of(r.pid(), r.imageName());
        return new KnownProcess(name, filter.selects(name), iisAppPools && IisAppPools.isWorkerProcess(name));
    }

    private ProcessDetails readDetails(SpiRecord r, boolean iisWorker) {
        if (r.pid() == 0) {
            return ProcessDetails.EMPTY; // the Idle process cannot be opened
        }
        return details.read(r.pid(), r.createTime(), readCmdline || iisWorker);
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
