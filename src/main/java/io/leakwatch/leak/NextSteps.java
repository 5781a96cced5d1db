package io.leakwatch.leak;

import io.leakwatch.model.ProcessInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.leakwatch.leak.Shell.glob;
import static io.leakwatch.leak.Shell.name;
import static io.leakwatch.leak.Shell.op;

/**
 * What to do once a process is a suspect, from what leakwatch can see: the runtime guessed from the
 * name and command line, the OS leakwatch runs on (the processes are local), and whether private
 * bytes or handles grow. Commands are word lists, quoted for the OS's shell by {@link Shell}.
 */
final class NextSteps {
    /**
     * @param title    what the step finds out
     * @param commands command lines to start from (may be empty)
     */
    record Step(String title, List<Shell.Line> commands) {
    }

    /** The runtime a process most likely runs on. */
    enum Runtime {
        JVM("Java virtual machine"), DOTNET(".NET"), PYTHON("Python"), GO("Go"), NATIVE("native code, or a runtime leakwatch cannot tell");

        final String description;

        Runtime(String description) {
            this.description = description;
        }
    }

    /** Well-known programs written in Go (the name is all leakwatch sees of a Go binary). */
    private static final List<String> GO_PROGRAMS = List.of("prometheus", "alertmanager", "grafana", "grafana-agent", "alloy",
            "loki", "promtail", "telegraf", "influxd", "consul", "vault", "nomad", "etcd", "dockerd", "containerd", "kubelet",
            "kube-proxy", "kube-apiserver", "coredns", "traefik", "caddy", "minio", "gitea", "terraform", "vector-agent",
            "otelcol", "otelcol-contrib", "cadvisor", "thanos", "mimir", "tempo", "windows_exporter", "node_exporter");

    private NextSteps() {
    }

    static boolean windows(String osName) {
        return osName.toLowerCase(Locale.ROOT).contains("win");
    }

    /** The runtime, guessed from the process name and the first words of its command line. */
    static Runtime guess(ProcessInfo info) {
        String name = info.name().toLowerCase(Locale.ROOT);
        String cmd = info.cmdline().toLowerCase(Locale.ROOT);
        String program = baseName(firstWord(cmd));
        if (is(name, program, "java", "javaw") || cmd.contains(" -jar ") || cmd.contains(" -xx:") || cmd.contains(" -xmx")) {
            return Runtime.JVM;
        }
        if (is(name, program, "dotnet") || name.startsWith("w3wp") || program.startsWith("dotnet")) {
            return Runtime.DOTNET;
        }
        if (name.startsWith("python") || program.startsWith("python") || name.equals("py") || program.startsWith("pypy")
                || secondWord(cmd).endsWith(".py")) {
            return Runtime.PYTHON;
        }
        if (GO_PROGRAMS.contains(name) || GO_PROGRAMS.contains(program) || name.endsWith("_exporter")) {
            return Runtime.GO;
        }
        return Runtime.NATIVE;
    }

    private static boolean is(String name, String program, String... names) {
        for (String n : names) {
            if (name.equals(n) || program.equals(n) || program.equals(n + ".exe")) {
                return true;
            }
        }
        return false;
    }

    private static String firstWord(String cmd) {
        String c = cmd.strip();
        if (c.startsWith("\"")) {
            int end = c.indexOf('"', 1);
            return end < 0 ? c.substring(1) : c.substring(1, end);
        }
        int space = c.indexOf(' ');
        return space < 0 ? c : c.substring(0, space);
    }

    /** The word after the program: a script an interpreter runs under another name (a copy or link of python). */
    private static String secondWord(String cmd) {
        String c = cmd.strip();
        int end = c.startsWith("\"") ? c.indexOf('"', 1) + 1 : c.indexOf(' ');
        if (end <= 0 || end >= c.length()) {
            return "";
        }
        String rest = c.substring(end).strip();
        int space = rest.indexOf(' ');
        return space < 0 ? rest : rest.substring(0, space);
    }

    private static String baseName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        String base = path.substring(slash + 1);
        return base.endsWith(".exe") ? base.substring(0, base.length() - 4) : base;
    }

    static List<Step> forProcess(String osName, LeakVerdict v) {
        boolean win = windows(osName);
        String pid = v.info().pidLabel();
        String name = v.info().name();
        List<Step> steps = new ArrayList<>();
        if (v.privateBytes().suspect()) {
            runtimeSteps(steps, guess(v.info()), win, pid, name);
            long thresholdMiB = (long) Math.ceil(Math.max(v.lastPrivateBytes(), 0) * 1.5 / (1024 * 1024));
            if (win) {
                steps.add(new Step("Dump the process once it has grown by half (Sysinternals ProcDump, a commit threshold in MiB) and "
                        + "open the dump in WinDbg: !heap -s, then !heap -stat -h on the largest heap",
                        List.of(Shell.Line.of("procdump", "-accepteula", "-ma", "-m", thresholdMiB, pid))));
                steps.add(new Step("Find the call stacks that allocate without freeing: UMDH snapshots an hour or two apart, then "
                        + "their difference (turn stack collection on for the image, restart the process, then snapshot)",
                        List.of(Shell.Line.of("gflags", "/i", name(name + ".exe"), "+ust"),
                                Shell.Line.of("umdh", "-p:" + pid, "-f:before.log"),
                                Shell.Line.of("umdh", "-p:" + pid, "-f:after.log"),
                                Shell.Line.of("umdh", "before.log", "after.log", op(">"), "diff.txt"))));
                steps.add(new Step("See which kind of memory grows (Heap, Private Data, Image) with Sysinternals VMMap",
                        List.of(Shell.Line.of("vmmap", "-accepteula", "-p", pid, name(name + "-" + pid + ".mmp")))));
            } else {
                steps.add(new Step("See which mappings grow (heap, anonymous mappings), now and again later",
                        List.of(Shell.Line.of("pmap", "-x", pid, op("|"), "sort", "-k3", "-n", op("|"), "tail"),
                                Shell.Line.of("grep", "-E", "Rss|Anon|Swap", "/proc/" + pid + "/smaps_rollup"))));
                steps.add(new Step("Attach heaptrack to the running process and list the allocations never freed",
                        List.of(Shell.Line.of("heaptrack", "-p", pid),
                                Shell.Line.of("heaptrack_print", glob("heaptrack." + name + ".", ".zst")))));
                steps.add(new Step("Or restart it under jemalloc with leak profiling, and read the profile with jeprof",
                        List.of(Shell.Line.of(op("LD_PRELOAD=libjemalloc.so.2"), op("MALLOC_CONF=prof:true,prof_leak:true,lg_prof_interval:30"),
                                name(programOf(v.info())), op("...")))));
            }
        }
        if (v.handles().suspect()) {
            if (win) {
                steps.add(new Step("List the open handles by type (Sysinternals Handle) now and again later, and compare",
                        List.of(Shell.Line.of("handle", "-accepteula", "-s", "-p", pid),
                                Shell.Line.of("handle", "-accepteula", "-p", pid, op(">"), name(name + "-handles.txt")))));
            } else {
                steps.add(new Step("List the open file descriptors by target now and again later, and compare",
                        List.of(Shell.Line.of("ls", "-l", "/proc/" + pid + "/fd", op("|"), "awk", "{print $NF}", op("|"), "sort",
                                op("|"), "uniq", "-c", op("|"), "sort", "-n", op("|"), "tail"),
                                Shell.Line.of("lsof", "-p", pid))));
            }
        }
        return steps;
    }

    /**
     * argv[0] of a Linux command line: its words are joined by spaces, so the first word is the text
     * before the first space, quotes and all ('"' is a character of a Linux program's name, not a
     * Windows quote).
     */
    private static String programOf(ProcessInfo info) {
        String c = info.cmdline().strip();
        int space = c.indexOf(' ');
        String first = space < 0 ? c : c.substring(0, space);
        return first.isEmpty() ? info.name() : first;
    }

    private static void runtimeSteps(List<Step> steps, Runtime runtime, boolean win, String pid, String name) {
        switch (runtime) {
            case JVM -> {
                steps.add(new Step("Compare the Java heap with private bytes: a heap that stays flat while private bytes grow "
                        + "means native memory (direct buffers, JNI, threads, the JIT); native memory tracking needs a restart "
                        + "with -XX:NativeMemoryTracking=summary",
                        List.of(Shell.Line.of("jcmd", pid, "GC.heap_info"),
                                Shell.Line.of("jcmd", pid, "VM.native_memory", "summary.diff"))));
                steps.add(new Step("If the heap grows: dump it and open the dump in Eclipse MAT (leak suspects report)",
                        List.of(Shell.Line.of("jcmd", pid, "GC.heap_dump", name(name + "-" + pid + ".hprof")))));
            }
            case DOTNET -> {
                steps.add(new Step("Compare the .NET GC heap size with private bytes: a flat GC heap while private bytes grow "
                        + "means native memory (P/Invoke, unmanaged buffers)",
                        List.of(Shell.Line.of("dotnet-counters", "monitor", "-p", pid, "--counters", "System.Runtime"))));
                steps.add(new Step("If the GC heap grows: take two GC heap dumps a while apart and compare them "
                        + "(Visual Studio or PerfView)",
                        List.of(Shell.Line.of("dotnet-gcdump", "collect", "-p", pid, "-o", name(name + "-" + pid + "-1.gcdump")))));
            }
            case PYTHON -> steps.add(new Step(win
                    ? "Find the Python allocations that grow: tracemalloc snapshots in the program, compared a while apart "
                    + "(python -X tracemalloc); native extensions leak outside it"
                    : "Attach memray to the running interpreter and report what is still allocated (native extensions included)",
                    win ? List.of() : List.of(Shell.Line.of("memray", "attach", pid), Shell.Line.of("memray", "flamegraph",
                            glob("memray-", ".bin")))));
            case GO -> steps.add(new Step("Compare the Go heap (net/http/pprof) with private bytes: a flat Go heap while "
                    + "private bytes grow means memory allocated outside Go, by cgo or a DLL, and never freed",
                    List.of(Shell.Line.of("go", "tool", "pprof", "-sample_index=inuse_space", "http://HOST:PORT/debug/pprof/heap"))));
            case NATIVE -> steps.add(new Step("If the program runs on a runtime with its own heap (Go, Java, .NET, Python), look "
                    + "at that heap first: flat while private bytes grow means the leak is in native memory (cgo, a DLL or "
                    + "shared library result never freed)", List.of()));
        }
    }
}
