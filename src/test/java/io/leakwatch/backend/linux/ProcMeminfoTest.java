package io.leakwatch.backend.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** MemTotal from meminfo: the host's memory even inside a container with a memory limit. */
class ProcMeminfoTest {
    @TempDir
    Path procfs;

    @Test
    void readsMemTotalInBytes() throws IOException {
        Files.writeString(procfs.resolve("meminfo"), "MemTotal:       24576000 kB\nMemFree:         1024000 kB\n");
        assertEquals(OptionalLong.of(24_576_000L * 1024), ProcMeminfo.totalBytes(procfs));
    }

    @Test
    void missingOrMalformedIsEmpty() {
        assertEquals(OptionalLong.empty(), ProcMeminfo.totalBytes(procfs), "no meminfo");
        for (String bad : new String[]{"", "MemFree: 1 kB\n", "MemTotal: lots kB\n", "MemTotal: 12 MB\n",
                "MemTotal: 99999999999999999999 kB\n", "MemTotal:\n"}) {
            assertEquals(OptionalLong.empty(), ProcMeminfo.parseTotal(bad.getBytes(StandardCharsets.US_ASCII)), bad);
        }
    }

    @Test
    void thisMachinesMeminfoHasATotal() {
        assertEquals(true, ProcMeminfo.totalBytes(Path.of("/proc")).orElse(0) > 0);
    }
}
