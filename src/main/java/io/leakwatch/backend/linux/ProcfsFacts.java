package io.leakwatch.backend.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a procfs mount says about the whole machine, read once at start.
 *
 * @param bootTimeSeconds     Unix time of boot (btime in /proc/stat)
 * @param clockTicksPerSecond the unit of the times in /proc/PID/stat (sysconf(_SC_CLK_TCK))
 * @param fdCountFromStat     whether stat() of /proc/PID/fd reports the descriptor count (Linux 6.2 and later)
 */
record ProcfsFacts(long bootTimeSeconds, double clockTicksPerSecond, boolean fdCountFromStat) {
    private static final int DEFAULT_CLK_TCK = 100;

    /** @throws IllegalArgumentException when {@code procfs} is not a readable procfs (no btime in stat) */
    static ProcfsFacts read(Path procfs, LinuxLibC libc) {
        return new ProcfsFacts(readBootTime(procfs), clockTicks(libc), kernelCountsFdsInStat(procfs));
    }

    double startTimeSeconds(long startTicks) {
        return bootTimeSeconds + startTicks / clockTicksPerSecond;
    }

    private static double clockTicks(LinuxLibC libc) {
        if (libc != null) {
            try {
                long ticks = libc.sysconf(LinuxLibC.SC_CLK_TCK);
                if (ticks > 0) {
                    return ticks;
                }
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                // fall through to the value every mainstream Linux architecture uses
            }
        }
        return DEFAULT_CLK_TCK;
    }

    private static long readBootTime(Path procfs) {
        Path stat = procfs.resolve("stat");
        try {
            for (String line : Files.readAllLines(stat)) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalArgumentException("--path.procfs: " + procfs + " is not a readable procfs (cannot read btime from " + stat + ")");
        }
        throw new IllegalArgumentException("--path.procfs: " + procfs + " is not a procfs (no btime line in " + stat + ")");
    }

    private static boolean kernelCountsFdsInStat(Path procfs) {
        try {
            return Files.readAttributes(procfs.resolve("self").resolve("fd"), BasicFileAttributes.class).size() > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
