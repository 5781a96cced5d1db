package io.leakwatch.backend.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The machine's physical memory from procfs' meminfo. /proc/meminfo is not namespaced, so in a
 * container it is the host's memory, not the container's memory limit (which is what the JVM reports
 * there). Stateless; safe from any thread.
 */
public final class ProcMeminfo {
    /** meminfo is about 1.5 KB; MemTotal is its first line. */
    private static final int MAX_BYTES = 64 * 1024;

    private ProcMeminfo() {
    }

    /** MemTotal in bytes, or empty when procfs has no readable meminfo with it. */
    public static OptionalLong totalBytes(Path procfs) {
        try (InputStream in = Files.newInputStream(procfs.resolve("meminfo"))) {
            return parseTotal(in.readNBytes(MAX_BYTES));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** MemTotal ("MemTotal:       24576000 kB") in bytes, or empty when absent or malformed. */
    static OptionalLong parseTotal(byte[] meminfo) {
        for (String line : new String(meminfo, StandardCharsets.US_ASCII).split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] words = line.substring("MemTotal:".length()).trim().split("\\s+");
                if (words.length == 2 && words[1].equals("kB") && words[0].matches("\\d{1,15}")) {
                    return OptionalLong.of(Long.parseLong(words[0]) * 1024);
                }
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }
}
