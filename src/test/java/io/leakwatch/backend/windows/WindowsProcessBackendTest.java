package io.leakwatch.backend.windows;

import io.leakwatch.model.ProcessBackend.BackendException;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.leakwatch.backend.windows.SpiBufferBuilder.record;
import static io.leakwatch.backend.windows.SpiBufferBuilder.withName;
import static org.junit.jupiter.api.Assertions.*;

/** The backend end to end over the fake native layer: buffer, parser, names, cache, filter. */
class WindowsProcessBackendTest {

    /** Owner/cmdline source that records every handle the backend would open. */
    static final class FakeDetails implements ProcessDetailsReader {
        final List<String> reads = new ArrayList<>();
        boolean closed;

        @Override
        public ProcessDetails read(long pid, long createTime, boolean cmdline) {
            reads.add(pid + "@" + createTime + (cmdline ? "+cmdline" : ""));
            if (pid == 4) {
                return ProcessDetails.EMPTY; // System: access denied
            }
            String cmd = pid == 900 ? "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"Default Web Site\" -v v4.0"
                    : "\"C:\\Program Files\\app\\proc" + pid + ".exe\" --secret=x";
            return new ProcessDetails("svc-" + pid + "\\CONTOSO", cmdline ? cmd : "", pid * 10, "");
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final FakeNtQuery nt = new FakeNtQuery();
    private final FakeDetails details = new FakeDetails();

    private WindowsProcessBackend backend(boolean cmdline, boolean iis) {
        return backend(ProcessFilter.all(), cmdline, iis);
    }

    private WindowsProcessBackend backend(ProcessFilter filter, boolean cmdline, boolean iis) {
        return new WindowsProcessBackend(new ProcessInformationBuffer(nt, 4096, 6, 1 << 24), details, filter, cmdline, iis);
    }

    @Test
    void mapsEveryFieldToTheSampleInLinuxUnits() throws Exception {
        SpiRecord agent = record(4242, "leaky-agent.EXE", 7, 3);
        nt.processes.add(agent);
        try (WindowsProcessBackend backend = backend(true, false)) {
            ProcessSnapshot snapshot = backend.collect();
            assertEquals(0, snapshot.skippedMalformed());
            ProcessSample s = snapshot.processes().get(0);
            assertEquals("leaky-agent", s.info().name());
            assertEquals(4242, s.info().pid());
            assertEquals("4242", s.info().pidLabel());
            assertEquals(agent.parentPid(), s.info().parentPid());
            assertEquals(42420, s.info().processGroupId(), "ProcessGroupId from the details, not the session id");
            assertEquals("svc-4242\\CONTOSO", s.info().owner(), "account\\domain, windows_exporter's order");
            assertEquals("\"C:\\Program Files\\app\\proc4242.exe\" --secret=x", s.info().cmdline());
            // 133000000030000000 FILETIME = 1655526403 Unix seconds (2022-06-18T04:26:43Z)
            assertEquals(1_655_526_403.0, s.info().startTimeSeconds(), 1e-6);
            assertEquals(0.3000003, s.cpuUserSeconds(), 1e-12);
            assertEquals(0.6000005, s.cpuPrivilegedSeconds(), 1e-12);
            assertEquals(103, s.handles());
            assertEquals(7, s.threads());
            assertEquals(11, s.priorityBase());
            assertEquals(24, s.ioReadBytes());
            assertEquals(25, s.ioWriteBytes());
            assertEquals(26, s.ioOtherBytes());
            assertEquals(14, s.ioReadOperations());
            assertEquals(15, s.ioWriteOperations());
            assertEquals(16, s.ioOtherOperations());
            assertEquals(70_003, s.pageFaults());
            assertEquals(40_003, s.pageFileBytes());
            assertEquals(20_003, s.poolPagedBytes());
            assertEquals(30_003, s.poolNonpagedBytes());
            assertEquals((6L << 32) + 3, s.privateBytes(), "above 4 GiB, unlike windows_exporter #955");
            assertEquals((1L << 40) + 3, s.virtualBytes());
            assertEquals(3 * 4096 + 1, s.workingSetPrivateBytes());
            assertEquals((5L << 32) + 3, s.workingSetPeakBytes());
            assertEquals((4L << 32) + 3, s.workingSetBytes());
        }
    }

    @Test
    void idleIsPidZeroWithoutStartTimeAndIsNeverOpened() throws Exception {
        nt.processes.add(withName(new SpiRecord(0, 0, null, 2, 0, 0, 5_000_000_000L, 0, 0, 0, 0, 8192, 1, 8192,
                8192, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), null));
        try (WindowsProcessBackend backend = backend(true, false)) {
            ProcessSample idle = backend.collect().processes().get(0);
            assertEquals("Idle", idle.info().name());
            assertEquals(0, idle.info().pid());
            assertFalse(ProcessSample.isPresent(idle.info().startTimeSeconds()), "CreateTime 0 is not a start time");
            assertEquals(500.0, idle.cpuUserSeconds());
            assertEquals(List.of(), details.reads);
        }
    }

    @Test
    void opensEachProcessOncePerLifetimeNotPerScrape() throws Exception {
        nt.addProcesses(50, 3);
        try (WindowsProcessBackend backend = backend(true, false)) {
            for (int scrape = 0; scrape < 5; scrape++) {
                assertEquals(50, backend.collect().processes().size());
            }
            assertEquals(50, details.reads.size());
            // pid 8 exits and the pid is reused by a new process: a new lifetime, read again
            SpiRecord old = nt.processes.remove(0);
            nt.processes.add(withName(record(old.pid(), "reused.exe", 1, 500), "reused.exe"));
            Map<String, ProcessSample> byName = byName(backend.collect());
            assertEquals(51, details.reads.size());
            assertTrue(details.reads.get(50).startsWith("8@"));
            assertEquals("reused", byName.get("reused").info().name());
            assertEquals(50, backend.cachedProcesses(), "the exited lifetime is forgotten");
        }
    }

    @Test
    void filterDecidesOnTheNameAndUnselectedProcessesAreNeverOpened() throws Exception {
        nt.processes.add(record(10, "firefox.exe", 30, 1));
        nt.processes.add(record(11, "firefox.exe", 12, 2));
        nt.processes.add(record(12, "Firefox.exe", 1, 3));
        nt.processes.add(record(13, "explorer.exe", 1, 4));
        try (WindowsProcessBackend backend = backend(ProcessFilter.of("firefox.*", ""), true, false)) {
            ProcessSnapshot snapshot = backend.collect();
            assertEquals(List.of(10L, 11L), snapshot.processes().stream().map(s -> s.info().pid()).toList(),
                    "full, case-sensitive match; same-named processes stay apart by pid");
            assertEquals(2, details.reads.size());
        }
    }

    @Test
    void cmdlineDisabledIsEmptyAndNotRead() throws Exception {
        nt.processes.add(record(20, "app.exe", 1, 1));
        try (WindowsProcessBackend backend = backend(false, false)) {
            ProcessSample s = backend.collect().processes().get(0);
            assertEquals("", s.info().cmdline());
            assertEquals("svc-20\\CONTOSO", s.info().owner());
            assertEquals(List.of("20@" + record(20, "app.exe", 1, 1).createTime()), details.reads);
        }
    }

    @Test
    void accessDeniedGivesEmptyLabelsNotAnError() throws Exception {
        nt.processes.add(record(4, "System", 100, 1));
        try (WindowsProcessBackend backend = backend(true, false)) {
            ProcessSample system = backend.collect().processes().get(0);
            assertEquals("System", system.info().name());
            assertEquals("", system.info().owner());
            assertEquals("", system.info().cmdline());
        }
    }

    @Test
    void iisWorkerProcessesGetTheirAppPoolInTheName() throws Exception {
        nt.processes.add(record(900, "w3wp.exe", 20, 1));
        nt.processes.add(record(901, "notepad.exe", 1, 2));
        // windows_exporter's include/exclude see the plain image name; only the label carries the pool
        try (WindowsProcessBackend backend = backend(ProcessFilter.of("w3wp", ""), false, true)) {
            Map<String, ProcessSample> byName = byName(backend.collect());
            assertEquals(List.of("w3wp_Default Web Site"), List.copyOf(byName.keySet()));
            assertEquals("", byName.get("w3wp_Default Web Site").info().cmdline(), "cmdline label stays off");
            assertEquals(List.of("900@" + record(900, "w3wp.exe", 20, 1).createTime() + "+cmdline"), details.reads,
                    "the command line was read once, for the label");
            backend.collect();
            assertEquals(1, details.reads.size());
        }
        details.reads.clear();
        try (WindowsProcessBackend backend = backend(ProcessFilter.of(".+", "w3wp"), false, true)) {
            assertEquals(List.of("notepad"), List.copyOf(byName(backend.collect()).keySet()), "exclude=w3wp hides the workers");
        }
        try (WindowsProcessBackend backend = backend(ProcessFilter.of("w3wp_.+", ""), false, true)) {
            assertEquals(List.of(), List.copyOf(byName(backend.collect()).keySet()), "the pool name is not what is filtered");
        }
        try (WindowsProcessBackend backend = backend(true, false)) {
            assertTrue(byName(backend.collect()).containsKey("w3wp"), "without the flag: plain name");
        }
    }

    /** An owner whose account lookup had not finished is named on a later scrape, from the reader's cache. */
    @Test
    void anUnresolvedOwnerIsNamedOnALaterScrape() throws Exception {
        nt.processes.add(record(950, "agent.exe", 2, 1));
        String sid = "S-1-5-21-1-2-3-1001";
        String[] account = {null};
        ProcessDetailsReader slow = new ProcessDetailsReader() {
            @Override
            public ProcessDetails read(long pid, long createTime, boolean cmdline) {
                return new ProcessDetails(sid, "agent.exe", 7, sid);
            }

            @Override
            public String accountName(String s) {
                return s.equals(sid) ? account[0] : null;
            }

            @Override
            public void close() {
            }
        };
        try (WindowsProcessBackend backend = new WindowsProcessBackend(new ProcessInformationBuffer(nt, 4096, 6, 1 << 24),
                slow, ProcessFilter.all(), true, false)) {
            assertEquals(sid, backend.collect().processes().get(0).info().owner());
            assertEquals(sid, backend.collect().processes().get(0).info().owner());
            account[0] = "bob\\CONTOSO";
            ProcessSample s = backend.collect().processes().get(0);
            assertEquals("bob\\CONTOSO", s.info().owner());
            assertEquals(7, s.info().processGroupId());
            assertEquals("agent.exe", s.info().cmdline());
        }
    }

    @Test
    void failedCallFailsOneScrapeAndTheNextWorks() throws Exception {
        nt.addProcesses(3, 1);
        try (WindowsProcessBackend backend = backend(true, false)) {
            nt.scriptedStatuses.add(0xC0000017); // STATUS_NO_MEMORY
            BackendException e = assertThrows(BackendException.class, () -> backend.collect());
            assertTrue(e.getMessage().contains("0xC0000017"));
            assertEquals(3, backend.collect().processes().size());
        }
    }

    @Test
    void malformedRecordsAreCountedInTheSnapshot() throws Exception {
        nt.addProcesses(3, 1);
        nt.processes.add(1, withName(record(77, "broken.exe", 1, 1), null)); // no name on a non-zero pid
        try (WindowsProcessBackend backend = backend(true, false)) {
            ProcessSnapshot snapshot = backend.collect();
            assertEquals(3, snapshot.processes().size());
            assertEquals(1, snapshot.skippedMalformed());
        }
    }

    @Test
    void closeClosesBufferAndDetailsReader() {
        WindowsProcessBackend backend = backend(true, false);
        backend.close();
        assertTrue(details.closed);
        assertThrows(IllegalStateException.class, () -> backend.collect());
    }

    @Test
    void wineFixtureThroughTheWholeBackend() throws Exception {
        // Replays the Wine buffer at its recorded address inside our buffer: name pointers must rebase.
        byte[] bytes = WineFixtureTest.resource("spi-wine8.bin");
        long recordedBase = Long.decode(WineFixtureTest.meta().get("base"));
        SystemInformationCall replay = (buffer, length, returnLength) -> {
            byte[] copy = rebase(bytes, recordedBase, com.sun.jna.Pointer.nativeValue(buffer));
            buffer.write(0, copy, 0, copy.length);
            returnLength.setInt(0, copy.length);
            return NtStatus.SUCCESS;
        };
        try (WindowsProcessBackend backend = new WindowsProcessBackend(new ProcessInformationBuffer(replay), details,
                ProcessFilter.of(".+", "winedevice"), true, false)) {
            Map<String, ProcessSample> byName = byName(backend.collect());
            assertEquals(List.of("explorer", "leaker", "plugplay", "rpcss", "services", "spiprobe", "svchost", "winemenubuilder"),
                    byName.keySet().stream().sorted().toList());
            ProcessSample leaker = byName.get("leaker");
            assertEquals(9_609_216, leaker.workingSetBytes());
            assertEquals(1_801_486_336, leaker.virtualBytes());
            assertEquals(3_792_896, leaker.pageFileBytes());
            assertEquals(0.01, leaker.cpuPrivilegedSeconds(), 1e-12);
            assertEquals((134_401_640_867_215_440L - 116_444_736_000_000_000L) / 1e7, leaker.info().startTimeSeconds(), 1e-6);
        }
    }

    /** Moves every image-name pointer of a recorded buffer from its old base to a new one. */
    static byte[] rebase(byte[] recorded, long oldBase, long newBase) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(recorded.clone()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        while (true) {
            long name = b.getLong(at + 0x40);
            if (name != 0) {
                b.putLong(at + 0x40, name - oldBase + newBase);
            }
            int next = b.getInt(at);
            if (next == 0) {
                return b.array();
            }
            at += next;
        }
    }

    private static Map<String, ProcessSample> byName(ProcessSnapshot snapshot) {
        return snapshot.processes().stream().collect(Collectors.toMap(s -> s.info().name(), Function.identity()));
    }
}
