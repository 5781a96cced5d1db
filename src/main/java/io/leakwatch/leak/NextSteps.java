package io.leakwatch.leak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What to do once a process is a suspect, for the OS leakwatch runs on (the processes are local). */
final class NextSteps {
    /**
     * @param title   what the step finds out
     * @param command a command line to start from ({@code PID} and {@code NAME} filled in)
     */
    record Step(String title, String command) {
    }

    private NextSteps() {
    }

    static boolean windows(String osName) {
        return osName.toLowerCase(Locale.ROOT).contains("win");
    }

    static List<Step> forProcess(String osName, LeakVerdict v) {
        String pid = v.info().pidLabel();
        String name = v.info().name();
        long thresholdMiB = (long) Math.ceil(Math.max(v.lastPrivateBytes(), 0) * 1.5 / (1024 * 1024));
        List<Step> steps = new ArrayList<>();
        if (v.privateBytes().suspect() || !v.handles().suspect()) {
            steps.add(new Step("Runtime heap first: if the runtime's own heap stays flat while private bytes rise, the leak is native "
                    + "(cgo, a DLL/.so result never freed: in the seed, DsGetDomainControllerInfoW without DsFreeDomainControllerInfoW)",
                    "Go: go tool pprof http://HOST:PORT/debug/pprof/heap | JVM: jcmd " + pid + " GC.heap_info, and run with "
                            + "-XX:NativeMemoryTracking=summary then jcmd " + pid + " VM.native_memory summary.diff | "
                            + ".NET: dotnet-counters monitor -p " + pid + " (GC heap size), dotnet-gcdump collect -p " + pid));
            if (windows(osName)) {
                steps.add(new Step("Dump the process when it has grown by half (ProcDump, commit threshold in MB), open it in "
                        + "WinDbg (!heap -s, !heap -stat -h)", "procdump -ma -m " + thresholdMiB + " " + pid));
                steps.add(new Step("Find the allocating call stacks: UMDH snapshots a while apart, then diff them",
                        "gflags /i " + name + ".exe +ust & umdh -p:" + pid + " -f:before.log & (later) umdh -p:" + pid
                                + " -f:after.log & umdh before.log after.log > diff.txt"));
                steps.add(new Step("See which kind of memory grows (Heap, Private Data, Image) with VMMap",
                        "vmmap -p " + pid + " before.mmp (later again, compare)"));
            } else {
                steps.add(new Step("See which mappings grow (heap, anonymous mmap)",
                        "pmap -x " + pid + " | sort -k3 -n | tail; grep -E 'Rss|Anon|Swap' /proc/" + pid + "/smaps_rollup"));
                steps.add(new Step("Attach heaptrack and read the allocations never freed",
                        "heaptrack -p " + pid + " (or heaptrack ./program), then heaptrack_print heaptrack." + name + ".*.zst"));
                steps.add(new Step("Valgrind massif on a reproduction: heap snapshots over time",
                        "valgrind --tool=massif ./program, then ms_print massif.out.*"));
                steps.add(new Step("jemalloc heap profiling in production (restart with jemalloc preloaded)",
                        "LD_PRELOAD=libjemalloc.so.2 MALLOC_CONF=prof:true,prof_leak:true,lg_prof_interval:30 ./program, then jeprof"));
            }
        }
        if (v.handles().suspect()) {
            steps.add(windows(osName)
                    ? new Step("List the open handles by type (Sysinternals Handle) a while apart and compare", "handle -s -p " + pid)
                    : new Step("List the open file descriptors a while apart and compare",
                    "ls -l /proc/" + pid + "/fd | awk '{print $NF}' | sort | uniq -c | sort -n | tail; lsof -p " + pid));
        }
        return steps;
    }
}
