package io.leakwatch.backend.windows;

import io.leakwatch.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** The owner, command line and process group reads, call for call, on the fake native layer. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JnaProcessDetailsReaderTest {
    static final String SYSTEM = "S-1-5-18";
    static final String BOB = "S-1-5-21-1004336348-1177238915-682003330-1001";
    static final long CREATED = 133_000_000_030_000_000L;

    private final FakeWindowsApi fake = new FakeWindowsApi();
    private final NativeTrace trace = new NativeTrace();
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private AccountNames accounts = new AccountNames(new JnaProcessDetailsReader.AccountLookup(fake.api, trace),
            clock::get, 200, 24 * 3600_000L, 60_000, 16);
    private JnaProcessDetailsReader reader;

    private JnaProcessDetailsReader reader() {
        if (reader == null) {
            reader = new JnaProcessDetailsReader(fake.api, trace, accounts);
        }
        return reader;
    }

    @AfterEach
    void closeAndCheckHandles() {
        if (reader != null) {
            reader.close();
        }
        assertEquals(Map.of(), fake.openHandles, "every handle closed");
    }

    @Test
    void ownerIsAccountThenDomainAsWindowsExporterWritesIt() {
        fake.add(800, CREATED, SYSTEM).commandLine = "C:\\Windows\\system32\\svchost.exe -k netsvcs";
        fake.account(SYSTEM, "SYSTEM", "NT AUTHORITY");
        ProcessDetails d = reader().read(800, CREATED, true);
        assertEquals("SYSTEM\\NT AUTHORITY", d.owner());
        assertEquals("", d.unresolvedSid());
        assertEquals("C:\\Windows\\system32\\svchost.exe -k netsvcs", d.cmdline());
    }

    @Test
    void anAccountNameOfUnlenCharactersFitsTheBuffer() {
        String longName = "u".repeat(256); // UNLEN: the buffer needs 257 with the NUL
        fake.add(801, CREATED, BOB);
        fake.account(BOB, longName, "CONTOSO");
        assertEquals(longName + "\\CONTOSO", reader().read(801, CREATED, false).owner());
    }

    @Test
    void aLongerNameThanExpectedIsLookedUpAgainWithTheSizeWindowsAsksFor() {
        fake.add(802, CREATED, BOB);
        fake.account(BOB, "v".repeat(300), "D".repeat(300));
        assertEquals("v".repeat(300) + "\\" + "D".repeat(300), reader().read(802, CREATED, false).owner());
    }

    /** A domain controller that is down at boot must not pin SID strings for the exporter's lifetime. */
    @Test
    void aFailedLookupIsRetriedOnceItsEntryExpires() {
        fake.add(803, CREATED, BOB);
        fake.accounts.put(BOB, new FakeWindowsApi.Account(null, null, 1722, null)); // RPC server unavailable
        ProcessDetails first = reader().read(803, CREATED, false);
        assertEquals(BOB, first.owner(), "the SID string until a name is known, as windows_exporter shows it");
        assertEquals(BOB, first.unresolvedSid());
        fake.account(BOB, "bob", "CONTOSO"); // the domain controller is back
        clock.addAndGet(30_000);
        assertEquals(BOB, reader().read(803, CREATED, false).owner(), "not retried before the failure expires");
        assertEquals(1, fake.lookups.size());
        clock.addAndGet(31_000);
        assertEquals("bob\\CONTOSO", reader().read(803, CREATED, false).owner());
        assertEquals("bob\\CONTOSO", reader().accountName(BOB), "the backend can ask for the name of an unresolved owner");
        assertEquals(2, fake.lookups.size());
        reader().read(803, CREATED, false);
        assertEquals(2, fake.lookups.size(), "a name is cached");
    }

    /** The backend asks for an unresolved owner's name on later scrapes, without reading the process again. */
    @Test
    void askingForAnUnresolvedNameRetriesTheLookupOnceTheFailureExpired() throws Exception {
        fake.add(820, CREATED, BOB);
        fake.accounts.put(BOB, new FakeWindowsApi.Account(null, null, 1722, null));
        assertEquals(BOB, reader().read(820, CREATED, false).unresolvedSid());
        fake.account(BOB, "bob", "CONTOSO");
        assertNull(reader().accountName(BOB), "not due yet");
        clock.addAndGet(61_000);
        Await.until("the name looked up", () -> reader().accountName(BOB) != null);
        assertEquals("bob\\CONTOSO", reader().accountName(BOB));
        assertEquals(2, fake.lookups.size());
    }

    /** LookupAccountSid can take seconds (a remote domain): the read must not wait for it. */
    @Test
    void aSlowLookupDoesNotHoldUpTheRead() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        fake.add(804, CREATED, BOB);
        fake.accounts.put(BOB, new FakeWindowsApi.Account("bob", "CONTOSO", 0, gate));
        long start = System.nanoTime();
        ProcessDetails d = reader().read(804, CREATED, false);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 2_000, "read waited " + millis + " ms for the lookup");
        assertEquals(BOB, d.owner());
        assertNull(reader().accountName(BOB));
        gate.countDown();
        Await.until("the name looked up", () -> reader().accountName(BOB) != null);
        assertEquals("bob\\CONTOSO", reader().accountName(BOB));
    }

    @Test
    void processGroupIdComesFromTheParametersBlock() {
        FakeWindowsApi.Process p = fake.add(805, CREATED, SYSTEM);
        p.processGroupId = 4242;
        fake.account(SYSTEM, "SYSTEM", "NT AUTHORITY");
        assertEquals(4242, reader().read(805, CREATED, false).processGroupId());
    }

    @Test
    void processGroupIdIsZeroWhenThePebCannotBeRead() {
        FakeWindowsApi.Process denied = fake.add(806, CREATED, BOB);
        denied.processGroupId = 77;
        denied.allowVmRead = false; // another user's process, not elevated
        denied.commandLine = "app.exe --x";
        fake.account(BOB, "bob", "CONTOSO");
        ProcessDetails d = reader().read(806, CREATED, true);
        assertEquals(0, d.processGroupId());
        assertEquals("bob\\CONTOSO", d.owner(), "still opened with PROCESS_QUERY_LIMITED_INFORMATION");
        assertEquals("", d.cmdline(), "no command line without PROCESS_VM_READ, as in windows_exporter");

        FakeWindowsApi.Process minimal = fake.add(808, CREATED, SYSTEM);
        minimal.hasPeb = false; // Registry, Memory Compression
        assertEquals(0, reader().read(808, CREATED, true).processGroupId());
    }

    /**
     * windows_exporter reads the command line only through a handle with PROCESS_QUERY_INFORMATION
     * and PROCESS_VM_READ. A protected process (csrss, smss, wininit, services, MsMpEng, lsass under
     * RunAsPPL) grants neither, even to SYSTEM, so windows_exporter shows "" and group 0 for it:
     * leakwatch must too, or the same process becomes two different series.
     */
    @Test
    void aProtectedProcessHasNoCommandLineAsInWindowsExporter() {
        FakeWindowsApi.Process csrss = fake.add(830, CREATED, SYSTEM);
        csrss.commandLine = "%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows";
        csrss.processGroupId = 830;
        csrss.allowQueryInformation = false;
        csrss.allowVmRead = false;
        fake.account(SYSTEM, "SYSTEM", "NT AUTHORITY");
        ProcessDetails d = reader().read(830, CREATED, true);
        assertEquals("", d.cmdline());
        assertEquals(0, d.processGroupId());
        assertEquals("SYSTEM\\NT AUTHORITY", d.owner(), "the owner still comes from the token, through PROCESS_QUERY_LIMITED_INFORMATION");

        FakeWindowsApi.Process limited = fake.add(831, CREATED, BOB);
        limited.commandLine = "app.exe --x";
        limited.allowQueryInformation = false; // PROCESS_VM_READ alone is not enough either
        fake.account(BOB, "bob", "CONTOSO");
        assertEquals("", reader().read(831, CREATED, true).cmdline());
    }

    /** windows_exporter's UTF16ToString stops at the first NUL: a length that covers one leaves none in the label. */
    @Test
    void theCommandLineEndsAtTheFirstNulAsInWindowsExporter() {
        fake.account(SYSTEM, "SYSTEM", "NT AUTHORITY");
        fake.add(832, CREATED, SYSTEM).commandLine = "app.exe -x\u0000";
        assertEquals("app.exe -x", reader().read(832, CREATED, true).cmdline());
        fake.add(833, CREATED, SYSTEM).commandLine = "app.exe -y \u0000leftover";
        assertEquals("app.exe -y", reader().read(833, CREATED, true).cmdline());
    }

    /**
     * Windows 7's parameters block has no ProcessGroupId, and its Length counts the strings packed
     * after the structure, so a length check passes and 0x408 holds command-line text: only the
     * Windows version says whether the field is there.
     */
    @Test
    void onWindows7TheProcessGroupIsZeroNotTextReadAsANumber() {
        fake.windows8OrLater = false;
        FakeWindowsApi.Process old = fake.add(807, CREATED, SYSTEM);
        old.windows7 = true;
        old.commandLine = "C:\\Windows\\system32\\svchost.exe -k netsvcs";
        fake.account(SYSTEM, "SYSTEM", "NT AUTHORITY");
        ProcessDetails d = reader().read(807, CREATED, true);
        assertEquals(0, d.processGroupId());
        assertEquals("C:\\Windows\\system32\\svchost.exe -k netsvcs", d.cmdline(), "the command line is still read");
    }

    @Test
    void commandLinesAreTrimmedAsGoTrimsThem() {
        fake.add(809, CREATED, SYSTEM).commandLine = " \t\"C:\\app.exe\" -x  \u00A0\r\n";
        fake.account(SYSTEM, "SYSTEM", "NT AUTHORITY");
        assertEquals("\"C:\\app.exe\" -x", reader().read(809, CREATED, true).cmdline());
    }

    @Test
    void aReusedPidGivesNothing() {
        fake.add(811, CREATED + 1, SYSTEM);
        assertEquals(ProcessDetails.EMPTY, reader().read(811, CREATED, true));
        assertEquals(ProcessDetails.EMPTY, reader().read(999, CREATED, true), "gone: invalid parameter");
        assertTrue(trace.counts().get("GetProcessTimes").containsKey("CreateTime differs: pid reused"));
    }

    /**
     * The error of a failed OpenProcess decides whether to retry with fewer rights: it must be the
     * one JNA saved (Native.getLastError), not Kernel32.GetLastError() asked later.
     */
    @Test
    void errorsComeFromTheValueJnaSavedRightAfterTheCall() {
        FakeWindowsApi.Process p = fake.add(812, CREATED, BOB);
        p.allowVmRead = false;
        fake.account(BOB, "bob", "CONTOSO");
        assertEquals("bob\\CONTOSO", reader().read(812, CREATED, false).owner());
        assertEquals(Map.of("Win32 error 5 (access denied)", 1L),
                trace.counts().get("OpenProcess(QUERY_INFORMATION|VM_READ)"));
        assertEquals(0, fake.calls.getOrDefault("GetLastError", 0), "Kernel32.GetLastError is never asked");
    }

    @Test
    void aDeniedTokenGivesAnEmptyOwnerButTheCommandLine() {
        FakeWindowsApi.Process p = fake.add(813, CREATED, SYSTEM);
        p.allowToken = false;
        p.commandLine = "x.exe";
        ProcessDetails d = reader().read(813, CREATED, true);
        assertEquals("", d.owner());
        assertEquals("x.exe", d.cmdline());
    }

    @Test
    void debugPrivilegeIsEnabledWhenHeldAndReportedWhenNot() {
        assertEquals(DebugPrivilege.Result.ENABLED, DebugPrivilege.enable(fake.api, trace), () -> trace.counts().toString());
        fake.elevated = false;
        assertEquals(DebugPrivilege.Result.NOT_HELD, DebugPrivilege.enable(fake.api, trace));
        assertTrue(trace.counts().get("AdjustTokenPrivileges(SeDebugPrivilege)").containsKey("Win32 error 1300 (privilege not held)"));
    }

    @Test
    void theAccountCacheIsBounded() {
        for (int i = 0; i < 40; i++) {
            String sid = "S-1-5-21-1-2-3-" + (2000 + i);
            fake.add(2000 + i, CREATED, sid);
            fake.account(sid, "user" + i, "D");
            assertEquals("user" + i + "\\D", reader().read(2000 + i, CREATED, false).owner());
            assertTrue(accounts.size() <= 16, "cache size " + accounts.size());
        }
    }

    /** The seams repeat jna-platform's signatures exactly, so production calls its mappings unchanged. */
    @Test
    void theSeamsHaveJnaPlatformsSignatures() throws Exception {
        for (var pair : List.of(List.of(WindowsApi.Kernel32Calls.class, com.sun.jna.platform.win32.Kernel32.class),
                List.of(WindowsApi.Advapi32Calls.class, com.sun.jna.platform.win32.Advapi32.class))) {
            for (var m : pair.get(0).getDeclaredMethods()) {
                if (java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                var mapped = pair.get(1).getMethod(m.getName(), m.getParameterTypes());
                assertEquals(mapped.getReturnType(), m.getReturnType(), m.toString());
            }
        }
    }

    @Test
    void theHandWrittenDeclarationsAreOnlyWhatJnaPlatformLacksOrMapsWrongly() {
        List<String> ntdll = java.util.Arrays.stream(WindowsApi.Ntdll.class.getDeclaredMethods()).map(m -> m.getName()).sorted().toList();
        List<String> kernel32 = java.util.Arrays.stream(WindowsApi.Kernel32Extra.class.getDeclaredMethods()).map(m -> m.getName()).sorted().toList();
        assertEquals(List.of("NtQueryInformationProcess", "NtQuerySystemInformation"), ntdll);
        assertEquals(List.of("ReadProcessMemory"), kernel32);
        for (Class<?> type : List.of(WindowsApi.Ntdll.class, WindowsApi.Kernel32Extra.class)) {
            for (var m : type.getDeclaredMethods()) {
                for (Class<?> param : m.getParameterTypes()) {
                    assertFalse(param == String.class || param == char[].class || param == com.sun.jna.NativeLong.class,
                            m + ": no strings (they would need UNICODE options) and no NativeLong (4 bytes on Windows)");
                }
            }
        }
        assertEquals(long.class, java.util.Arrays.stream(WindowsApi.Kernel32Extra.class.getDeclaredMethods())
                .filter(m -> m.getName().equals("ReadProcessMemory")).findFirst().orElseThrow().getParameterTypes()[3],
                "SIZE_T is 8 bytes on x64");
    }
}
