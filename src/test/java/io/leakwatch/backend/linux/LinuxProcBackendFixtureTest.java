package io.leakwatch.backend.linux;

import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend over the fixture tree src/test/resources/procfs/basic (see the cases there). */
class LinuxProcBackendFixtureTest {
    private static final double MIB = 1024;

    private static Path fixture() throws URISyntaxException {
        return Path.of(LinuxProcBackendFixtureTest.class.getResource("/procfs/basic/stat").toURI()).getParent();
    }

    private static Map<Long, ProcessSample> byPid(ProcessSnapshot snapshot) {
        return snapshot.processes().stream().collect(Collectors.toMap(p -> p.info().pid(), Function.identity()));
    }

    @Test
    void readsEveryWellFormedProcessAndCountsTheRest() throws Exception {
        try (LinuxProcBackend backend = new LinuxProcBackend(fixture(), ProcessFilter.all(), true)) {
            ProcessSnapshot snapshot = backend.collect();
            Map<Long, ProcessSample> procs = byPid(snapshot);
            assertEquals(java.util.Set.of(100L, 2L, 300L, 400L, 700L), procs.keySet());
            assertEquals(3, snapshot.skippedMalformed(), "500 truncated, 600 garbage, 900 claims to be pid 100");
            assertEquals(1, snapshot.skippedVanished(), "800 lost its status file");
        }
    }

    @Test
    void normalProcessValues() throws Exception {
        try (LinuxProcBackend backend = new LinuxProcBackend(fixture(), ProcessFilter.all(), true)) {
            ProcessSample p = byPid(backend.collect()).get(100L);
            assertEquals("nginx", p.info().name());
            assertEquals("100", p.info().pidLabel());
            assertEquals(1, p.info().parentPid());
            assertEquals(100, p.info().processGroupId());
            assertEquals("root", p.info().owner());
            assertEquals("/usr/sbin/nginx -g daemon off;", p.info().cmdline());
            // btime 1790000000 + 5000 ticks / 100 Hz
            assertEquals(1790000050.0, p.info().startTimeSeconds(), 1e-6);
            assertEquals(2.5, p.cpuUserSeconds(), 1e-9);
            assertEquals(1.2, p.cpuPrivilegedSeconds(), 1e-9);
            assertEquals(3, p.handles());
            assertEquals(3, p.threads());
            assertEquals(20, p.priorityBase());
            assertEquals(4096, p.ioReadBytes());
            assertEquals(2048, p.ioWriteBytes());
            assertEquals(40, p.ioReadOperations());
            assertEquals(20, p.ioWriteOperations());
            assertTrue(Double.isNaN(p.ioOtherBytes()), "Linux has no 'other' I/O");
            assertTrue(Double.isNaN(p.ioOtherOperations()));
            assertEquals(1525, p.pageFaults());
            assertEquals(500 * MIB, p.pageFileBytes());
            assertTrue(Double.isNaN(p.poolPagedBytes()), "no pool accounting on Linux");
            assertTrue(Double.isNaN(p.poolNonpagedBytes()));
            assertEquals((12000 + 500) * MIB, p.privateBytes());
            assertEquals(104857600, p.virtualBytes());
            assertEquals(12000 * MIB, p.workingSetPrivateBytes());
            assertEquals(20000 * MIB, p.workingSetPeakBytes());
            assertEquals(16000 * MIB, p.workingSetBytes());
        }
    }

    @Test
    void kernelThreadAndZombieHaveNoMemory() throws Exception {
        try (LinuxProcBackend backend = new LinuxProcBackend(fixture(), ProcessFilter.all(), true)) {
            Map<Long, ProcessSample> procs = byPid(backend.collect());
            for (long pid : new long[]{2, 300}) {
                ProcessSample p = procs.get(pid);
                assertEquals(0, p.workingSetBytes(), "pid " + pid);
                assertEquals(0, p.privateBytes(), "pid " + pid);
                assertEquals("", p.info().cmdline());
                assertTrue(Double.isNaN(p.handles()), "no fd/ directory in the fixture");
            }
            assertEquals("kthreadd", procs.get(2L).info().name());
            assertEquals("defunct-kid", procs.get(300L).info().name());
        }
    }

    @Test
    void hostileAndCutNames() throws Exception {
        try (LinuxProcBackend backend = new LinuxProcBackend(fixture(), ProcessFilter.all(), true)) {
            Map<Long, ProcessSample> procs = byPid(backend.collect());
            assertEquals("a) (b c) d e", procs.get(400L).info().name());
            assertEquals(1, procs.get(400L).handles());
            assertEquals("very-long-daemon-name", procs.get(700L).info().name());
        }
    }

    @Test
    void filterSelectsByResolvedName() throws Exception {
        try (LinuxProcBackend backend = new LinuxProcBackend(fixture(), ProcessFilter.of("very-long.+|nginx", "nginx"), true)) {
            ProcessSnapshot s = backend.collect();
            assertEquals(1, s.processes().size());
            assertEquals("very-long-daemon-name", s.processes().get(0).info().name());
        }
    }

    @Test
    void cmdlineCanBeTurnedOff() throws Exception {
        try (LinuxProcBackend backend = new LinuxProcBackend(fixture(), ProcessFilter.all(), false)) {
            for (ProcessSample p : backend.collect().processes()) {
                assertEquals("", p.info().cmdline(), p.info().name());
            }
        }
    }

    @Test
    void staticFactsAreCachedAndForgottenWhenTheProcessIsGone() throws Exception {
        try (LinuxProcBackend backend = new LinuxProcBackend(fixture(), ProcessFilter.all(), true)) {
            ProcessSample first = byPid(backend.collect()).get(100L);
            ProcessSample second = byPid(backend.collect()).get(100L);
            assertTrue(first.info() == second.info(), "same lifetime -> same cached identity");
            assertFalse(backend.cachedProcesses() > 8);
        }
    }

    @Test
    void aDirectoryThatIsNotProcfsIsRejected(@org.junit.jupiter.api.io.TempDir Path empty) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LinuxProcBackend(empty, ProcessFilter.all(), true));
        assertTrue(e.getMessage().contains("btime"), e.getMessage());
    }
}
