package io.leakwatch.backend;

import io.leakwatch.backend.ProcessSettings;
import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.backend.linux.ProcMeminfo;
import io.leakwatch.backend.linux.ProcfsDiagnosis;
import io.leakwatch.backend.windows.WindowsDiagnosis;
import io.leakwatch.backend.windows.WindowsProcessBackend;
import io.leakwatch.model.ProcessBackend;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/** Picks the backend for the OS leakwatch runs on. */
public final class Backends {
    private Backends() {
    }

    /**
     * @throws IllegalArgumentException with a one-line reason when no backend fits this machine or its settings
     */
    public static ProcessBackend forThisMachine(ProcessSettings settings) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (isLinux(os)) {
            return new LinuxProcBackend(settings.procfs(), settings.filter(), settings.cmdline(), settings.kernelThreads());
        }
        if (isWindows(os)) {
            return WindowsProcessBackend.open(settings.filter(), settings.cmdline(), settings.iis());
        }
        throw new IllegalArgumentException("no process backend for operating system '" + os + "'");
    }

    /**
     * {@code leakwatch diagnose} for the backend {@link #forThisMachine} picks: its report lines, or one
     * line saying there is no backend for this OS. Never throws for what the OS answers.
     *
     * @param ownPid leakwatch's own pid, looked for among the processes
     */
    public static List<String> diagnose(ProcessSettings settings, long ownPid) {
        String os = System.getProperty("os.name", "");
        String lower = os.toLowerCase(Locale.ROOT);
        if (isLinux(lower)) {
            return ProcfsDiagnosis.run(settings.procfs(), settings.cmdline(), ownPid);
        }
        if (isWindows(lower)) {
            return WindowsDiagnosis.run(settings.cmdline());
        }
        return List.of("no process backend for operating system '" + os + "'");
    }

    /** @param os os.name in lower case */
    private static boolean isLinux(String os) {
        return os.contains("linux");
    }

    /** @param os os.name in lower case */
    private static boolean isWindows(String os) {
        return os.startsWith("windows");
    }

    /**
     * The machine's physical memory in bytes (NaN when unknown). On Linux from procfs' meminfo, so a
     * container reports its host's memory rather than its own memory limit; elsewhere the JVM's figure.
     */
    public static double physicalMemoryBytes(ProcessSettings settings) {
        if (isLinux(System.getProperty("os.name", "").toLowerCase(Locale.ROOT))) {
            var total = ProcMeminfo.totalBytes(settings.procfs());
            if (total.isPresent()) {
                return total.getAsLong();
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Double.NaN;
    }
}
