package io.leakwatch.backend;

import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.backend.windows.WindowsProcessBackend;
import io.leakwatch.config.Settings;
import io.leakwatch.model.ProcessBackend;

import java.util.Locale;

/** Picks the backend for the OS leakwatch runs on. */
public final class Backends {
    private Backends() {
    }

    /**
     * @throws IllegalArgumentException with a one-line reason when no backend fits this machine or its settings
     */
    public static ProcessBackend forThisMachine(Settings settings) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            return new LinuxProcBackend(settings.procfs(), settings.processCmdline());
        }
        if (os.startsWith("windows")) {
            return WindowsProcessBackend.open(settings.processCmdline(), settings.processIis());
        }
        throw new IllegalArgumentException("no process backend for operating system '" + os + "'");
    }
}
