package io.leakwatch.backend.linux;

import io.leakwatch.model.LifetimeCache;
import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

import static io.leakwatch.model.ProcessSample.ABSENT;

/**
 * Reads processes from procfs. Per scrape and process it reads {@code stat} (every process: the
 * name and start time decide selection), then for selected processes {@code status}, {@code io}
 * and the size of {@code fd/}. Kernel threads (PF_KTHREAD in stat's flags) are skipped unless asked
 * for: they have no memory or command line of their own, and a host has dozens. Name, owner and command line are read once per process lifetime
 * (pid + start time + comm, since exec and renames keep the first two).
 */
public final class LinuxProcBackend implements ProcessBackend {
    /** Numeric order of pid entry names without parsing them: shorter is smaller, then by digits. */
    private static final Comparator<String> PID_ORDER = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());

    private final Path procfs;
    private final ProcessFilter filter;
    private final boolean readCmdline;
    private final boolean kernelThreads;
    private int skippedKernelThreads; // in the collection under way
    private final ProcfsFacts facts;
    private final UserNames userNames;
    private final ProcFileReader reader = new ProcFileReader(4096, 64 * 1024);
    // Keyed by the /proc entry name as listed: no parsing or boxing of the pid per scrape.
    private final LifetimeCache<String, KnownProcess> known = new LifetimeCache<>();

    /** Static facts of one process lifetime (pid + start ticks), and its file paths, built once. */
    private static final class KnownProcess {
        final long pid;
        final long startTicks;
        final byte[] comm; // raw, as in stat
        final String name;
        final boolean selected;
        final boolean kernelThread;
        final ProcPaths paths;
        String cmdline; // null until needed
        ProcessInfo info; // null until the first full read

        KnownProcess(long pid, long startTicks, byte[] comm, String name, boolean selected, boolean kernelThread, ProcPaths paths) {
            this.pid = pid;
            this.startTicks = startTicks;
            this.comm = comm;
            this.name = name;
            this.selected = selected;
            this.kernelThread = kernelThread;
            this.paths = paths;
        }
    }

    /** The files of /proc/PID read every scrape; Path objects are reused so a scrape builds none. */
    private record ProcPaths(Path dir, Path stat, Path status, Path io, Path fd) {
        static ProcPaths of(Path dir) {
            return new ProcPaths(dir, dir.resolve("stat"), dir.resolve("status"), dir.resolve("io"), dir.resolve("fd"));
        }
    }

    /** Every selected process, kernel threads included. */
    public LinuxProcBackend(Path procfs, ProcessFilter filter, boolean readCmdline) {
        this(procfs, filter, readCmdline, true);
    }

    /**
     * @param filter        the processes to read (all others cost one stat read per scrape)
     * @param readCmdline   fill the cmdline label
     * @param kernelThreads read kernel threads the filter selects too; without, they are skipped and counted
     * @throws IllegalArgumentException when {@code procfs} is not a readable procfs (no btime in stat)
     */
    public LinuxProcBackend(Path procfs, ProcessFilter filter, boolean readCmdline, boolean kernelThreads) {
        this.procfs = procfs;
        this.filter = filter;
        this.readCmdline = readCmdline;
        this.kernelThreads = kernelThreads;
        LinuxLibC libc = LinuxLibC.loadOrNull();
        this.userNames = new UserNames(libc);
        this.facts = ProcfsFacts.read(procfs, libc);
    }

    @Override
    public String name() {
        return "linux-procfs";
    }

    @Override
    public ProcessSnapshot collect() {
        String[] entries = procfs.toFile().list();
        if (entries == null) {
            return new ProcessSnapshot(List.of(), 0, 0);
        }
        // Ascending pid order, as ps lists them: the listing's own order depends on the filesystem,
        // and a stable order makes scrapes comparable (and the golden test possible).
        Arrays.sort(entries, PID_ORDER);
        List<ProcessSample> samples = new ArrayList<>();
        int vanished = 0;
        int malformed = 0;
        int unreadable = 0;
        skippedKernelThreads = 0;
        for (String entry : entries) {
            if (!isPid(entry)) {
                continue;
            }
            try {
                ProcessSample sample = readProcess(entry);
                if (sample != null) {
                    samples.add(sample);
                }
            } catch (NoSuchFileException e) {
                vanished++;
            } catch (MalformedProcFileException e) {
                malformed++;
            } catch (AccessDeniedException e) {
                unreadable++; // stat or status refused: /proc mounted with hidepid=1, or a security module
            } catch (IOException e) {
                vanished++; // ESRCH and friends: the process died between two reads
            }
        }
        known.sweep();
        return new ProcessSnapshot(samples, vanished, malformed, 0, 0, 0, unreadable, skippedKernelThreads);
    }

    /** @return the sample, or null if the process is not selected */
    private ProcessSample readProcess(String entry) throws IOException {
        KnownProcess cached = known.peek(entry); // its paths serve any lifetime under this entry
        ProcPaths paths = cached != null ? cached.paths : ProcPaths.of(procfs.resolve(entry));
        // read() may grow the buffer: take buffer() only after it returned
        int statLength = reader.read(paths.stat());
        ProcStat stat = ProcStatParser.parse(reader.buffer(), statLength, false);
        if (cached == null ? stat.pid() != parsePid(entry) : stat.pid() != cached.pid) {
            // the directory name is the pid; a stat that says otherwise would duplicate another process's series
            throw new MalformedProcFileException("stat: pid does not match its /proc entry");
        }
        // A process that execs or renames itself keeps pid and start time but changes comm: rediscover it.
        // comm is compared as bytes, so a known process costs no String.
        KnownProcess process = known.get(entry, stat.startTicks());
        if (process == null || !ProcStatParser.commEquals(reader.buffer(), statLength, process.comm)) {
            // now the name is needed, from the same bytes
            process = discover(paths, ProcStatParser.parse(reader.buffer(), statLength, true),
                    ProcStatParser.commBytes(reader.buffer(), statLength));
            known.put(entry, stat.startTicks(), process);
        }
        if (!process.selected) {
            return null;
        }
        if (process.kernelThread && !kernelThreads) {
            skippedKernelThreads++;
            return null;
        }

        long pid = process.pid;
        Path dir = paths.dir();
        int statusLength = reader.read(paths.status());
        ProcStatus status = ProcStatusParser.parse(reader.buffer(), statusLength);
        if (process.info == null) {
            if (readCmdline && process.cmdline == null) {
                process.cmdline = readCmdline(dir);
            }
            process.info = ProcessInfo.of(process.name, pid, stat.parentPid(), stat.processGroup(),
                    userNames.nameOf(status.realUid()), readCmdline ? process.cmdline : "",
                    facts.startTimeSeconds(stat.startTicks()));
        } else {
            process.info = process.info.withParentAndGroup(stat.parentPid(), stat.processGroup());
        }
        return LinuxSamples.of(process.info, stat, status, readIo(paths.io()), countHandles(paths.fd()),
                facts.clockTicksPerSecond());
    }

    private KnownProcess discover(ProcPaths paths, ProcStat stat, byte[] commBytes) throws IOException {
        String cmdline = null;
        String name = stat.comm();
        if (ProcessNames.mayBeCut(stat.commByteLength())) {
            int len = readOrEmpty(paths.dir().resolve("cmdline"));
            name = ProcessNames.resolve(stat.comm(), stat.commByteLength(),
                    CmdlineParser.argv0Basename(reader.buffer(), len));
            cmdline = CmdlineParser.joined(reader.buffer(), len);
        }
        KnownProcess process = new KnownProcess(stat.pid(), stat.startTicks(), commBytes, name, filter.selects(name),
                stat.kernelThread(), paths);
        process.cmdline = cmdline;
        return process;
    }

    private String readCmdline(Path dir) throws IOException {
        int len = readOrEmpty(dir.resolve("cmdline"));
        return CmdlineParser.joined(reader.buffer(), len);
    }

    /** cmdline is world-readable, but hardened kernels may deny it: treat that as empty. */
    private int readOrEmpty(Path file) throws IOException {
        try {
            return reader.read(file);
        } catch (AccessDeniedException e) {
            return 0;
        }
    }

    /** @return null when io is not readable with our rights (needs ptrace access) */
    private ProcIo readIo(Path io) throws IOException {
        int len;
        try {
            len = reader.read(io);
        } catch (AccessDeniedException e) {
            return null;
        }
        return ProcIoParser.parse(reader.buffer(), len);
    }

    /** Open descriptors; since Linux 6.2 stat() of fd/ reports the count, saving a listing. */
    private double countHandles(Path fd) throws IOException {
        try {
            if (facts.fdCountFromStat()) {
                // the kernel's count, 0 included (kernel threads have no descriptors): listing
                // those would cost an open, a getdents and a close each, every scrape
                return Files.readAttributes(fd, BasicFileAttributes.class).size();
            }
            int count = 0;
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(fd)) {
                for (Iterator<Path> it = stream.iterator(); it.hasNext(); it.next()) {
                    count++;
                }
            }
            return count;
        } catch (AccessDeniedException e) {
            return ABSENT;
        } catch (NoSuchFileException e) {
            if (Files.isDirectory(fd.getParent())) {
                return ABSENT; // no fd/ although the process is there (unusual procfs): no count
            }
            throw e;
        }
    }

    /** Entries have passed {@link #isPid}: at most 10 digits, so this cannot fail. */
    private static long parsePid(String entry) {
        return Long.parseLong(entry);
    }

    /** A procfs entry that names a process: 1 to 10 ASCII digits. */
    static boolean isPid(String entry) {
        if (entry.isEmpty() || entry.length() > 10) {
            return false;
        }
        for (int i = 0; i < entry.length(); i++) {
            char c = entry.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        known.clear(); // nothing native is held: files are closed after each read
    }

    /** For tests and diagnostics: how many process lifetimes are cached. */
    int cachedProcesses() {
        return known.size();
    }
}
