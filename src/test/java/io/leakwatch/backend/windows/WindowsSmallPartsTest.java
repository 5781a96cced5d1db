package io.leakwatch.backend.windows;

import io.leakwatch.model.ProcessSample;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** Names, times, SIDs and IIS pool names: the plain-Java rules around the native calls. */
class WindowsSmallPartsTest {

    @Test
    void processNamesDropExeInAnyCaseAndPidZeroIsIdle() {
        assertEquals("svchost", WindowsProcessNames.of(800, "svchost.exe"));
        assertEquals("LEAKY", WindowsProcessNames.of(801, "LEAKY.EXE"));
        assertEquals("Setup.Exe.bak", WindowsProcessNames.of(802, "Setup.Exe.bak"));
        assertEquals("System", WindowsProcessNames.of(4, "System"));
        assertEquals("Memory Compression", WindowsProcessNames.of(2000, "Memory Compression"));
        assertEquals(".exe", WindowsProcessNames.of(803, ".exe"), "nothing left to name it by: keep as is");
        assertEquals("Idle", WindowsProcessNames.of(0, null));
        assertEquals("Idle", WindowsProcessNames.of(0, "System Idle Process"));
    }

    @Test
    void fileTimesBecomeUnixSecondsAndDurationsSeconds() {
        assertEquals(0.0000001, WindowsTime.unixSeconds(WindowsTime.UNIX_EPOCH_AS_FILETIME + 1), 1e-12);
        assertEquals(1_795_690_486.721544, WindowsTime.unixSeconds(134_401_640_867_215_440L), 1e-6);
        assertFalse(ProcessSample.isPresent(WindowsTime.unixSeconds(0)));
        assertFalse(ProcessSample.isPresent(WindowsTime.unixSeconds(-5)));
        assertEquals(1.5, WindowsTime.seconds(15_000_000));
    }

    @Test
    void sidsFormatAsWindowsWritesThem() {
        // S-1-5-18 (LocalSystem) and a domain user SID
        assertEquals("S-1-5-18", SidStrings.format(HexFormat.of().parseHex("010100000000000512000000")));
        assertEquals("S-1-5-21-3623811015-3361044348-30300820-1013", SidStrings.format(HexFormat.of().parseHex(
                "010500000000000515000000" + "c7f7fed7" + "7c7755c8" + "945ace01" + "f5030000")));
        // an identifier authority of 2^32 or more is hexadecimal, as ConvertSidToStringSid writes it
        assertEquals("S-1-0x010000000005-21", SidStrings.format(HexFormat.of().parseHex("010101000000000515000000")));
        assertEquals("S-1-4294967295-7", SidStrings.format(HexFormat.of().parseHex("01010000ffffffff07000000")));
        assertEquals("", SidStrings.format(new byte[3]));
        assertEquals("", SidStrings.format(HexFormat.of().parseHex("010500000000000515000000")), "claims 5 sub-authorities, has 0");
    }

    @Test
    void commandLinesAreTrimmedLikeGoTrimSpace() {
        assertEquals("a b", io.leakwatch.model.CommandLines.trimSpace(" \t\r\n\u000B\f a b \u0085\u00A0\u2007\u202F\u3000"));
        assertEquals("\u001Fa\u001C", io.leakwatch.model.CommandLines.trimSpace("\u001Fa\u001C"), "Go keeps the separators Java strips");
        assertEquals("", io.leakwatch.model.CommandLines.trimSpace("   "));
        String same = "unchanged";
        assertSame(same, io.leakwatch.model.CommandLines.trimSpace(same));
    }

    @Test
    void nativeOutcomesAreNamedForTheLogAndTheDiagnosis() {
        assertEquals("Win32 error 5 (access denied)", NativeTrace.win32Text(5));
        assertEquals("Win32 error 6 (invalid handle)", NativeTrace.win32Text(6));
        assertEquals("Win32 error 87 (invalid parameter: process gone)", NativeTrace.win32Text(87));
        assertEquals("Win32 error 122 (insufficient buffer)", NativeTrace.win32Text(122));
        assertEquals("Win32 error 299 (partial copy)", NativeTrace.win32Text(299));
        assertEquals("Win32 error 1300 (privilege not held)", NativeTrace.win32Text(1300));
        assertEquals("Win32 error 1332 (no account for this SID)", NativeTrace.win32Text(1332));
        assertEquals("Win32 error 1722 (RPC server unavailable)", NativeTrace.win32Text(1722));
        assertEquals("Win32 error 1789 (trust relationship failed)", NativeTrace.win32Text(1789));
        assertEquals("Win32 error 1314", NativeTrace.win32Text(1314), "no name: the number alone");
        assertEquals("NTSTATUS 0x00000000 (success)", NativeTrace.ntstatusText(0));
        assertEquals("NTSTATUS 0xC0000004 (info length mismatch)", NativeTrace.ntstatusText(0xC0000004));
        assertEquals("NTSTATUS 0xC0000023 (buffer too small)", NativeTrace.ntstatusText(0xC0000023));
        assertEquals("NTSTATUS 0xC0000022 (access denied)", NativeTrace.ntstatusText(0xC0000022));
        assertEquals("NTSTATUS 0xC0000003 (invalid info class)", NativeTrace.ntstatusText(0xC0000003));
        assertEquals("NTSTATUS 0xC000010A (process is terminating)", NativeTrace.ntstatusText(0xC000010A));
        assertEquals("NTSTATUS 0x80000005 (buffer overflow)", NativeTrace.ntstatusText(0x80000005));
        assertEquals("NTSTATUS 0xC0000008 (invalid handle)", NativeTrace.ntstatusText(0xC0000008));
        assertEquals("NTSTATUS 0xC0000005 (access violation)", NativeTrace.ntstatusText(0xC0000005));
        assertEquals("NTSTATUS 0xC0000017", NativeTrace.ntstatusText(0xC0000017), "no name: the number alone");
    }

    @Test
    void iisAppPoolFromTheWorkerCommandLine() {
        assertEquals(Optional.of("DefaultAppPool"), IisAppPools.appPool(
                "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"DefaultAppPool\" -v \"v4.0\" -l \"webengine4.dll\""));
        assertEquals(Optional.of("My Pool"), IisAppPools.appPool("w3wp.exe -debug -ap \"My Pool\" -h \"x\""));
        assertEquals(Optional.of("bare"), IisAppPools.appPool("w3wp.exe -ap bare"));
        assertEquals(Optional.empty(), IisAppPools.appPool("w3wp.exe -v 4"));
        assertEquals(Optional.empty(), IisAppPools.appPool("w3wp.exe -map \"x\""));
        assertEquals(Optional.empty(), IisAppPools.appPool(""));
        assertEquals("w3wp_DefaultAppPool", IisAppPools.processName("w3wp", "w3wp.exe -ap \"DefaultAppPool\""));
        assertEquals("w3wp", IisAppPools.processName("w3wp", ""));
        assertTrue(IisAppPools.isWorkerProcess("W3WP"));
        assertFalse(IisAppPools.isWorkerProcess("w3wpx"));
    }
}
