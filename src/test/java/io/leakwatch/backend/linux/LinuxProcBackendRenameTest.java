package io.leakwatch.backend.linux;

import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A process that execs or renames itself keeps pid and start time but changes comm; the backend
 * notices by comparing comm's raw bytes (no String per scrape) and rediscovers it.
 */
class LinuxProcBackendRenameTest {

    private static void writeProcess(Path procfs, String comm) throws IOException {
        Path dir = Files.createDirectories(procfs.resolve("4242"));
        Files.writeString(dir.resolve("stat"), "4242 (" + comm + ") S 1 4242 4242 0 -1 4194560 100 0 2 0 "
                + "5 3 0 0 20 0 1 0 777 8699904 220 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        Files.writeString(dir.resolve("status"), "Name:\t" + comm + "\nUid:\t0\t0\t0\t0\nVmHWM:\t 1000 kB\n"
                + "VmRSS:\t 900 kB\nRssAnon:\t 100 kB\nVmSwap:\t 0 kB\n");
        Files.writeString(dir.resolve("io"), "rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\n");
        Files.writeString(dir.resolve("cmdline"), comm + "\0");
        Files.createDirectories(dir.resolve("fd"));
    }

    private static ProcessSample only(LinuxProcBackend backend) {
        var processes = backend.collect().processes();
        assertEquals(1, processes.size());
        return processes.get(0);
    }

    @Test
    void aNewCommMeansANewIdentityAnUnchangedOneKeepsTheCache(@TempDir Path procfs) throws IOException {
        Files.writeString(procfs.resolve("stat"), "cpu  1 2 3 4\nbtime 1764150000\n");
        writeProcess(procfs, "bash");
        try (LinuxProcBackend backend = new LinuxProcBackend(procfs, ProcessFilter.all(), true)) {
            ProcessSample before = only(backend);
            assertEquals("bash", before.info().name());
            assertSame(before.info(), only(backend).info(), "same comm: cached identity reused");

            writeProcess(procfs, "ba) sh"); // same pid and start time, exec'd into another program
            ProcessSample after = only(backend);
            assertEquals("ba) sh", after.info().name());
            assertEquals("ba) sh", after.info().cmdline());

            writeProcess(procfs, "bas"); // a prefix of the old name must not compare equal
            assertEquals("bas", only(backend).info().name());
        }
    }
}
