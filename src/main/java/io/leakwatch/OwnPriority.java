package io.leakwatch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinDef;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --process.priority}: the exporter's own scheduling priority, with windows_exporter's
 * names. On Windows its priority class (SetPriorityClass, as windows_exporter does); on Linux the
 * nice value of every thread of the JVM (Linux keeps nice per thread; threads started later
 * inherit it). "normal" changes nothing. Not thread-safe: call once at startup.
 */
final class OwnPriority {
    /** name -> {Windows priority class, Linux nice value} */
    static final Map<String, int[]> LEVELS = Map.of(
            "realtime", new int[]{0x00000100, -20},
            "high", new int[]{0x00000080, -10},
            "abovenormal", new int[]{0x00008000, -5},
            "normal", new int[]{0x00000020, 0},
            "belownormal", new int[]{0x00004000, 10},
            "low", new int[]{0x00000040, 19});

    private OwnPriority() {
    }

    /** The libc call the JDK does not offer. */
    interface LibC extends Library {
        int PRIO_PROCESS = 0;

        int setpriority(int which, int who, int prio) throws LastErrorException;
    }

    /**
     * Applies the priority.
     *
     * @return a warning to log, or empty when it was applied (or nothing was to be done)
     */
    static Optional<String> apply(String name) {
        int[] level = LEVELS.get(name);
        if (level == null) {
            // windows_exporter ignores an unknown name silently; say so instead
            return Optional.of("--process.priority: '" + name + "' is not one of realtime, high, abovenormal, normal, "
                    + "belownormal, low; the priority is left unchanged");
        }
        if (name.equals("normal")) {
            return Optional.empty();
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        try {
            if (os.startsWith("windows")) {
                Kernel32 k = Kernel32.INSTANCE;
                if (!k.SetPriorityClass(k.GetCurrentProcess(), new WinDef.DWORD(level[0]))) {
                    return Optional.of("--process.priority=" + name + ": Windows refused the priority class (error "
                            + Native.getLastError() + ")");
                }
                return Optional.empty();
            }
            if (os.startsWith("linux")) {
                return setNice(Path.of("/proc/self/task"), level[1], name);
            }
            return Optional.of("--process.priority: not supported on " + System.getProperty("os.name") + "; ignored");
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return Optional.of("--process.priority=" + name + ": cannot be set here: " + e.getMessage());
        }
    }

    private static Optional<String> setNice(Path tasks, int nice, String name) {
        LibC libc = Native.load("c", LibC.class);
        int failed = 0;
        String reason = "";
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path thread : threads) {
                int tid;
                try {
                    tid = Integer.parseInt(thread.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                try {
                    libc.setpriority(LibC.PRIO_PROCESS, tid, nice);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != 3) { // ESRCH: the thread ended meanwhile
                        failed++;
                        reason = e.getErrorCode() == 13 || e.getErrorCode() == 1
                                ? "raising the priority needs root or CAP_SYS_NICE" : "errno " + e.getErrorCode();
                    }
                }
            }
        } catch (IOException e) {
            return Optional.of("--process.priority=" + name + ": cannot list the JVM's threads: " + e.getMessage());
        }
        return failed == 0 ? Optional.empty()
                : Optional.of("--process.priority=" + name + " (nice " + nice + "): not applied to " + failed + " thread(s): " + reason);
    }
}
