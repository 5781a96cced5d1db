package io.leakwatch.backend.linux;

import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The backend on this machine's real /proc. */
class LinuxProcBackendLiveTest {

    @Test
    void seesItselfWithPlausibleValues() {
        long self = ProcessHandle.current().pid();
        try (LinuxProcBackend backend = new LinuxProcBackend(Path.of("/proc"), ProcessFilter.all(), true)) {
            ProcessSnapshot snapshot = backend.collect();
            ProcessSample me = snapshot.processes().stream().filter(p -> p.info().pid() == self).findFirst().orElseThrow();
            assertEquals("java", me.info().name());
            assertTrue(me.workingSetBytes() > 10e6, "a JVM uses more than 10 MB");
            assertTrue(me.threads() > 5);
            assertTrue(me.handles() > 3);
            assertTrue(me.cpuUserSeconds() > 0);
            assertTrue(me.ioReadBytes() > 0, "it read its own jars");
            assertEquals(System.getProperty("user.name"), me.info().owner());
            assertTrue(me.info().cmdline().contains("java"));
            assertTrue(snapshot.processes().size() > 3);
        }
    }

    /** Where the kernel denies io/ (here: PID 1 in a sandbox, even to root), only the I/O metrics go. */
    @Test
    void aDeniedFileDropsOnlyItsMetrics() {
        assumeTrue(isDenied(Path.of("/proc/1/io")), "needs a process whose io file is not readable");
        try (LinuxProcBackend backend = new LinuxProcBackend(Path.of("/proc"), ProcessFilter.all(), true)) {
            ProcessSample init = backend.collect().processes().stream()
                    .filter(p -> p.info().pid() == 1).findFirst().orElseThrow();
            assertTrue(Double.isNaN(init.ioReadBytes()));
            assertTrue(Double.isNaN(init.ioWriteOperations()));
            assertFalse(Double.isNaN(init.workingSetBytes()));
            assertTrue(init.threads() >= 1);
        }
    }

    private static boolean isDenied(Path file) {
        try {
            Files.readAllBytes(file);
            return false;
        } catch (IOException e) {
            // procfs refuses io at read() time, which the JDK reports as a plain IOException
            return e instanceof java.nio.file.AccessDeniedException || String.valueOf(e.getMessage()).contains("Permission denied");
        }
    }
}
