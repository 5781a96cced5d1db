package io.leakwatch.backend;

import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.backend.linux.ProcMeminfo;
import io.leakwatch.backend.windows.WindowsProcessBackend;
import io.leakwatch.config.ProcessSettings;
import io.leakwatch.model.ProcessBackend;

import java.lang.management.ManagementFactory;
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
        if (os.contains("linux")) {
            return new LinuxProcBackend(settings.procfs(), settings.filter(), settings.cmdline());
        }
        if (os.startsWith("windows")) {
            return WindowsProcessBackend.open(settings.filter(), settings.cmdline(), settings.iis());
        }
        throw new IllegalArgumentException("no process backend for operating system '" + os + "'");
    }

    /**
     * The machine's physical memory in bytes (NaN when unknown). On Linux from procfs' meminfo, so a
     * container reports its host's memory rather than its own memory limit; elsewhere the JVM's figure.
     */
    public static double physicalMemoryBytes(ProcessSettings settings) {
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
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
