package io.leakwatch.backend.linux;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProcStatParserTest {

    private static ProcStat parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return ProcStatParser.parse(b, b.length);
    }

    @Test
    void readsTheFieldsOfANormalProcess() {
        // captured from PID 1 of a Debian 12 VM
        ProcStat s = parse("1 (process_api) S 0 0 0 0 -1 4194560 35186 2324631 0 627 46 259 4001 1641 10 -10 13 0 24 "
                + "46690304 3771 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        assertEquals(1, s.pid());
        assertEquals("process_api", s.comm());
        assertEquals('S', s.state());
        assertEquals(0, s.parentPid());
        assertEquals(35186, s.minorFaults());
        assertEquals(0, s.majorFaults());
        assertEquals(46, s.userTicks());
        assertEquals(259, s.systemTicks());
        assertEquals(10, s.priority());
        assertEquals(13, s.threads());
        assertEquals(24, s.startTicks());
        assertEquals(46690304, s.virtualBytes());
    }

    @Test
    void kernelThreadHasZeroVirtualSize() {
        ProcStat s = parse("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 24 0 0 18446744073709551615 0 0 0 0 0 0 0 "
                + "2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        assertEquals("kthreadd", s.comm());
        assertEquals(0, s.virtualBytes());
        assertEquals(1, s.threads());
    }

    @Test
    void zombieParses() {
        ProcStat s = parse("300 (defunct-kid) Z 100 100 100 0 -1 4227084 10 0 0 0 3 1 0 0 20 0 1 0 6000 0 0 "
                + "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        assertEquals('Z', s.state());
        assertEquals(100, s.parentPid());
    }

    @Test
    void commEndsAtTheLastParenthesis() {
        ProcStat s = parse("400 (a) (b c) d e) R 1 400 400 0 -1 4194560 7 0 1 0 10 20 0 0 20 0 2 0 7000 4096000 100 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        assertEquals("a) (b c) d e", s.comm());
        assertEquals(12, s.commByteLength());
        assertEquals('R', s.state());
        assertEquals(2, s.threads());
        assertEquals(7000, s.startTicks());
    }

    @Test
    void commWithNewlineAndInvalidUtf8IsDecodedWithReplacement() {
        byte[] b = "9 (x\n\u00ff) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 6 0 0\n".getBytes(StandardCharsets.ISO_8859_1);
        ProcStat s = ProcStatParser.parse(b, b.length);
        assertEquals("x\n\ufffd", s.comm());
        assertEquals(6, s.virtualBytes());
    }

    @Test
    void truncatedFileIsMalformed() {
        assertThrows(MalformedProcFileException.class, () -> parse("500 (cut) S 1 500 500 0 -1 4194560 10 0 1"));
    }

    @Test
    void garbageIsMalformed() {
        assertThrows(MalformedProcFileException.class, () -> parse("garbage ((( 12"));
        assertThrows(MalformedProcFileException.class, () -> parse(""));
        assertThrows(MalformedProcFileException.class, () -> parse("12 (x) S 1 2 3 4 5 6 seven 8 9 10 11 12 13 14 15 16 17 18 19 20 21"));
        assertThrows(MalformedProcFileException.class,
                () -> parse("12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99999999999999999999999 20 21"));
    }
}
