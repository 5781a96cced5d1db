package io.leakwatch.backend.linux;

import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * {@code leakwatch diagnose} on Linux: the procfs equivalents of the Windows calls. What the
 * machine-wide files said (btime, clock ticks, whether stat() of fd/ counts descriptors, hidepid),
 * what reading each per-process file returned (ok, gone, access denied, malformed), how many
 * processes got an owner and a command line, and which sample fields were zero or absent. Only
 * counts: no other process's owner or command line is printed.
 */
public final class ProcfsDiagnosis {
    private static final Map<String, ToDoubleFunction<ProcessSample>> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("cpu user (stat utime)", ProcessSample::cpuUserSeconds);
        FIELDS.put("cpu privileged (stat stime)", ProcessSample::cpuPrivilegedSeconds);
        FIELDS.put("handles (fd/)", ProcessSample::handles);
        FIELDS.put("threads (stat)", ProcessSample::threads);
        FIELDS.put("io read bytes (io rchar)", ProcessSample::ioReadBytes);
        FIELDS.put("io write bytes (io wchar)", ProcessSample::ioWriteBytes);
        FIELDS.put("page faults (stat)", ProcessSample::pageFaults);
        FIELDS.put("page file (status VmSwap)", ProcessSample::pageFileBytes);
        FIELDS.put("private bytes (RssAnon + VmSwap)", ProcessSample::privateBytes);
        FIELDS.put("virtual bytes (stat vsize)", ProcessSample::virtualBytes);
        FIELDS.put("working set private (status RssAnon)", ProcessSample::workingSetPrivateBytes);
        FIELDS.put("working set peak (status VmHWM)", ProcessSample::workingSetPeakBytes);
        FIELDS.put("working set (status VmRSS)", ProcessSample::workingSetBytes);
    }

    private ProcfsDiagnosis() {
    }

    /** Never throws for what procfs answers: every problem is a line of the report. */
    public static List<String> run(Path procfs, boolean cmdline, long ownPid) {
        List<String> out = new ArrayList<>();
        out.add("procfs: " + procfs);
        LinuxLibC libc = LinuxLibC.loadOrNull();
        out.add("libc through JNA: " + (libc == null ? "not loaded (clock ticks default to 100, owners are uids)" : "loaded"));
        ProcfsFacts facts;
        try {
            facts = ProcfsFacts.read(procfs, libc);
        } catch (IllegalArgumentException e) {
            out.add("stat: " + e.getMessage());
            return out;
        }
        out.add("stat: btime " + facts.bootTimeSeconds() + ", clock ticks " + facts.clockTicksPerSecond()
                + "/s, stat() of fd/ counts descriptors: " + (facts.fdCountFromStat() ? "yes (Linux 6.2+)" : "no (fd/ is listed)"));
        out.add("mount options: " + mountOptions(procfs));

        String[] entries = procfs.toFile().list();
        List<String> pids = new ArrayList<>();
        for (String e : entries == null ? new String[0] : entries) {
            if (LinuxProcBackend.isPid(e)) {
                pids.add(e);
            }
        }
        out.add("process entries: " + pids.size());
        ProcFileReader reader = new ProcFileReader(4096, 64 * 1024);
        Map<String, Map<String, Integer>> files = new TreeMap<>();
        int emptyCmdlines = 0;
        for (String pid : pids) {
            Path dir = procfs.resolve(pid);
            probe(files, "stat", dir.resolve("stat"), reader, (buf, len) -> ProcStatParser.parse(buf, len, false));
            probe(files, "status", dir.resolve("status"), reader, ProcStatusParser::parse);
            probe(files, "io", dir.resolve("io"), reader, ProcIoParser::parse);
            String cmdlineOutcome = probe(files, "cmdline", dir.resolve("cmdline"), reader, (buf, len) -> null);
            if (cmdlineOutcome.equals("empty")) {
                emptyCmdlines++;
            }
            try {
                Files.newDirectoryStream(dir.resolve("fd")).close();
                count(files, "fd/", "ok");
            } catch (AccessDeniedException e) {
                count(files, "fd/", "access denied (needs the same user or CAP_SYS_PTRACE)");
            } catch (NoSuchFileException e) {
                count(files, "fd/", "gone");
            } catch (IOException e) {
                count(files, "fd/", "failed: " + e.getClass().getSimpleName());
            }
        }
        files.forEach((file, outcomes) -> {
            StringBuilder line = new StringBuilder("file ").append(file).append(':');
            outcomes.forEach((outcome, n) -> line.append(' ').append(outcome).append(" x").append(n).append(';'));
            out.add(line.substring(0, line.length() - 1));
        });
        out.add("cmdline files empty (kernel threads, zombies): " + emptyCmdlines);

        try (LinuxProcBackend backend = new LinuxProcBackend(procfs, ProcessFilter.all(), cmdline)) {
            ProcessSnapshot snapshot = backend.collect();
            List<ProcessSample> samples = snapshot.processes();
            int n = samples.size();
            out.add("collection: " + n + " processes, " + snapshot.skippedVanished() + " vanished, "
                    + snapshot.skippedMalformed() + " malformed");
            long owners = samples.stream().filter(s -> !s.info().owner().isEmpty()).count();
            long named = samples.stream().filter(s -> !s.info().owner().isEmpty() && !s.info().owner().chars().allMatch(Character::isDigit)).count();
            long cmdlines = samples.stream().filter(s -> !s.info().cmdline().isEmpty()).count();
            out.add("owner: " + owners + " of " + n + " (" + named + " as user names, " + (owners - named) + " as uids)");
            out.add("cmdline: " + cmdlines + " of " + n + (cmdline ? "" : " (--no-collector.process.cmdline: not read)"));
            List<String> allZero = new ArrayList<>();
            for (Map.Entry<String, ToDoubleFunction<ProcessSample>> field : FIELDS.entrySet()) {
                long zero = samples.stream().mapToDouble(field.getValue()).filter(v -> v == 0).count();
                long absent = samples.stream().mapToDouble(field.getValue()).filter(v -> !ProcessSample.isPresent(v)).count();
                out.add("field " + field.getKey() + ": 0 in " + zero + ", absent in " + absent + " of " + n);
                if (n > 0 && zero + absent == n) {
                    allZero.add(field.getKey());
                }
            }
            out.add("fields 0 or absent in every process: " + (allZero.isEmpty() ? "none" : String.join(", ", allZero)));
            ProcessSample own = samples.stream().filter(s -> s.info().pid() == ownPid).findFirst().orElse(null);
            out.add(own == null ? "leakwatch's own pid " + ownPid + ": NOT collected"
                    : "leakwatch's own pid " + ownPid + ": " + own.info().name() + ", owner '" + own.info().owner()
                    + "', working set private " + (long) own.workingSetPrivateBytes() + " bytes, handles " + own.handles()
                    + ", threads " + (long) own.threads());
        } catch (RuntimeException e) {
            out.add("collection: failed: " + e);
        }
        return out;
    }

    private interface Parser {
        Object parse(byte[] buf, int len);
    }

    /** @return the outcome counted for {@code file} */
    private static String probe(Map<String, Map<String, Integer>> files, String file, Path path, ProcFileReader reader,
                                Parser parser) {
        String outcome;
        try {
            int len = reader.read(path);
            if (len == 0) {
                outcome = "empty";
            } else {
                parser.parse(reader.buffer(), len);
                outcome = "ok";
            }
        } catch (NoSuchFileException e) {
            outcome = "gone";
        } catch (AccessDeniedException e) {
            outcome = "access denied";
        } catch (MalformedProcFileException e) {
            outcome = "malformed";
        } catch (IOException | RuntimeException e) {
            outcome = "failed: " + e.getClass().getSimpleName();
        }
        count(files, file, outcome);
        return outcome;
    }

    private static void count(Map<String, Map<String, Integer>> files, String file, String outcome) {
        files.computeIfAbsent(file, f -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
    }

    /** The options procfs is mounted with (hidepid hides other users' processes), from {@code <procfs>/mounts}. */
    static String mountOptions(Path procfs) {
        try {
            for (String line : Files.readAllLines(procfs.resolve("mounts"))) {
                String[] f = line.split(" ");
                if (f.length >= 4 && f[2].equals("proc") && Path.of(f[1]).equals(procfs.toAbsolutePath().normalize())) {
                    return f[3] + (f[3].contains("hidepid=") && !f[3].contains("hidepid=0") && !f[3].contains("hidepid=off")
                            ? " (hidepid: other users' processes are hidden)" : "");
                }
            }
            return "not found in " + procfs.resolve("mounts") + " (a copy, or another mount namespace)";
        } catch (IOException e) {
            return "unreadable (" + e.getClass().getSimpleName() + ")";
        }
    }
}
