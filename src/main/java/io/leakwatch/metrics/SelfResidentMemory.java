package io.leakwatch.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The exporter's own resident set size; the JDK has no API for it. */
final class SelfResidentMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private SelfResidentMemory() {
    }

    /** Bytes, or -1 where /proc/self/status does not exist (Windows). */
    static double bytes() {
        if (!Files.isReadable(STATUS)) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring(6).trim();
                    int space = kb.indexOf(' ');
                    return Long.parseLong(space < 0 ? kb : kb.substring(0, space)) * 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
