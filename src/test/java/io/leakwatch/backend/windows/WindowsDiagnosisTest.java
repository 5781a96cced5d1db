package io.leakwatch.backend.windows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@code leakwatch diagnose} on the fake native layer: every call's result, sizes, counts and zero fields. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WindowsDiagnosisTest {
    private final FakeNtQuery nt = new FakeNtQuery();
    private final FakeWindowsApi fake = new FakeWindowsApi();
    private final NativeTrace trace = new NativeTrace();

    @Test
    void saysWhatEachCallReturnedAndWhatTheProcessesGot() {
        SpiRecord system = SpiBufferBuilder.record(4, "System", 100, 1);
        SpiRecord svchost = SpiBufferBuilder.record(800, "svchost.exe", 10, 2);
        SpiRecord own = SpiBufferBuilder.record(4242, "java.exe", 30, 3);
        SpiRecord other = SpiBufferBuilder.record(900, "app.exe", 3, 4);
        nt.processes.addAll(List.of(system, svchost, own, other));
        nt.scriptedStatuses.add(NtStatus.INFO_LENGTH_MISMATCH);
        // System (pid 4) cannot be opened: it is not among the fake's processes
        FakeWindowsApi.Process s = fake.add(800, svchost.createTime(), "S-1-5-18");
        s.commandLine = "svchost.exe -k netsvcs";
        s.processGroupId = 800;
        fake.add(4242, own.createTime(), "S-1-5-21-1-2-3-1001").commandLine = "java -jar leakwatch.jar diagnose";
        FakeWindowsApi.Process app = fake.add(900, other.createTime(), "S-1-5-21-1-2-3-1002");
        app.allowVmRead = false;
        app.allowToken = false;
        app.commandLine = "app.exe";
        fake.account("S-1-5-18", "SYSTEM", "NT AUTHORITY");
        fake.account("S-1-5-21-1-2-3-1001", "bob", "CONTOSO");
        fake.elevated = false;

        List<String> lines;
        try (JnaProcessDetailsReader reader = new JnaProcessDetailsReader(fake.api, trace)) {
            lines = WindowsDiagnosis.run(fake.api, nt, reader, trace, true, 4242);
        }
        String text = String.join("\n", lines);
        assertTrue(lines.contains("SeDebugPrivilege: NOT_HELD"), text);
        assertTrue(text.contains("NtQuerySystemInformation(SystemProcessInformation): buffer 1048576 bytes -> NTSTATUS 0xC0000004 (info length mismatch), returnLength 0"), text);
        assertTrue(text.contains("-> NTSTATUS 0x00000000 (success), returnLength "), text);
        assertTrue(lines.contains("records: 4, malformed 0"), text);
        assertTrue(text.contains("leakwatch's own pid 4242: java, WorkingSetPrivateSize " + own.workingSetPrivateSize()), text);
        assertTrue(text.contains("leakwatch's own details: owner 'bob\\CONTOSO', command line 32 characters, process group 0"), text);
        assertTrue(lines.contains("owner: 2 of 4 (2 as account names, 0 as SIDs)"), text);
        // app.exe: no PROCESS_VM_READ, so no command line (windows_exporter's rule), and no token either
        assertTrue(lines.contains("details: 2 of 4 processes gave something"), text);
        assertTrue(lines.contains("cmdline: 2 of 4"), text);
        assertTrue(lines.contains("process_group_id: non-zero for 1 of 4"), text);
        assertTrue(lines.contains("fields 0 in every record: none"), text);
        assertTrue(text.contains("call OpenProcess(QUERY_INFORMATION|VM_READ): Win32 error 5 (access denied) x1; Win32 error 87 (invalid parameter: process gone) x1; ok x2"), text);
        assertTrue(text.contains("call OpenProcessToken: Win32 error 5 (access denied) x1; ok x2"), text);
        assertFalse(text.contains("netsvcs"), "no other process's command line is printed");
        assertFalse(text.contains("SYSTEM\\NT AUTHORITY"), "no other process's owner is printed");
        assertEquals(Map.of(), fake.openHandles);
    }

    @Test
    void aFailingCallIsReportedWithItsStatus() {
        nt.scriptedStatuses.add(0xC0000017); // STATUS_NO_MEMORY
        List<String> lines;
        try (JnaProcessDetailsReader reader = new JnaProcessDetailsReader(fake.api, trace)) {
            lines = WindowsDiagnosis.run(fake.api, nt, reader, trace, true, 1);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("-> NTSTATUS 0xC0000017")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("NtQuerySystemInformation: failed: ")), lines.toString());
    }

    @Test
    void fieldsThatWereZeroEverywhereAreNamed() throws Exception {
        // Wine leaves these at 0 in every record: the diagnosis must say so
        byte[] bytes = WineFixtureTest.resource("spi-wine8.bin");
        long base = Long.decode(WineFixtureTest.meta().get("base"));
        SystemInformationCall replay = (buffer, length, returnLength) -> {
            byte[] copy = WindowsProcessBackendTest.rebase(bytes, base, com.sun.jna.Pointer.nativeValue(buffer));
            buffer.write(0, copy, 0, copy.length);
            returnLength.setInt(0, copy.length);
            return NtStatus.SUCCESS;
        };
        List<String> lines;
        try (JnaProcessDetailsReader reader = new JnaProcessDetailsReader(fake.api, trace)) {
            lines = WindowsDiagnosis.run(fake.api, replay, reader, trace, true, 1);
        }
        String prefix = "fields 0 in every record: ";
        String allZero = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
        // whole names: a substring test would find WorkingSetSize inside PeakWorkingSetSize, or miss it as the last one
        List<String> names = List.of(allZero.substring(prefix.length()).split(", "));
        assertTrue(names.containsAll(List.of("WorkingSetPrivateSize", "PrivatePageCount", "QuotaPagedPoolUsage",
                "ReadOperationCount")), allZero);
        assertFalse(names.contains("WorkingSetSize"), allZero);
    }
}
