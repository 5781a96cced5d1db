package io.leakwatch.backend.linux;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcStatusAndIoParserTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void statusMemoryLinesBecomeBytes() {
        byte[] in = b("Name:\tnginx\nUid:\t33\t33\t33\t33\nVmHWM:\t   20000 kB\nVmRSS:\t   16000 kB\n"
                + "RssAnon:\t   12000 kB\nRssFile:\t 3000 kB\nVmSwap:\t     500 kB\nThreads:\t3\n");
        ProcStatus s = ProcStatusParser.parse(in, in.length);
        assertEquals(16000 * 1024L, s.vmRssBytes());
        assertEquals(20000 * 1024L, s.vmHwmBytes());
        assertEquals(12000 * 1024L, s.rssAnonBytes());
        assertEquals(500 * 1024L, s.vmSwapBytes());
        assertEquals(33, s.realUid());
        assertTrue(s.hasAddressSpace());
    }

    @Test
    void kernelThreadStatusHasNoAddressSpace() {
        byte[] in = b("Name:\tkthreadd\nUid:\t0\t0\t0\t0\nKthread:\t1\nThreads:\t1\n");
        ProcStatus s = ProcStatusParser.parse(in, in.length);
        assertFalse(s.hasAddressSpace());
        assertEquals(0, s.realUid());
    }

    @Test
    void realUidIsTheFirstOfFour() {
        byte[] in = b("Uid:\t1000\t0\t0\t0\n");
        assertEquals(1000, ProcStatusParser.parse(in, in.length).realUid());
    }

    @Test
    void malformedStatusIsRejected() {
        assertThrows(MalformedProcFileException.class, () -> {
            byte[] in = b("Name:\tx\n");
            ProcStatusParser.parse(in, in.length);
        });
        assertThrows(MalformedProcFileException.class, () -> {
            byte[] in = b("Uid:\t0\t0\t0\t0\nVmRSS:\t  lots kB\n");
            ProcStatusParser.parse(in, in.length);
        });
        assertThrows(MalformedProcFileException.class, () -> {
            byte[] in = b("Uid:\t0\nVmRSS:\t 99999999999999999 kB\n");
            ProcStatusParser.parse(in, in.length);
        });
    }

    @Test
    void ioCounters() {
        byte[] in = b("rchar: 4096\nwchar: 2048\nsyscr: 40\nsyscw: 20\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n");
        ProcIo io = ProcIoParser.parse(in, in.length);
        assertEquals(new ProcIo(4096, 2048, 40, 20), io);
    }

    @Test
    void truncatedIoIsMalformed() {
        byte[] in = b("rchar: 4096\nwchar: 20");
        assertThrows(MalformedProcFileException.class, () -> ProcIoParser.parse(in, in.length));
    }

    @Test
    void cmdlineJoinsArgumentsAndFindsArgv0() {
        byte[] in = b("/usr/sbin/nginx\0-g\0daemon off;\0");
        assertEquals("/usr/sbin/nginx -g daemon off;", CmdlineParser.joined(in, in.length));
        assertEquals("nginx", CmdlineParser.argv0Basename(in, in.length));
        byte[] rewritten = b("nginx: worker process\0\0\0");
        assertEquals("nginx:", CmdlineParser.argv0Basename(rewritten, rewritten.length));
        assertEquals("", CmdlineParser.joined(new byte[0], 0));
        byte[] padded = "  python3\0app.py\0\0 \0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("python3 app.py", CmdlineParser.joined(padded, padded.length),
                "trimmed as windows_exporter trims: an empty or blank last argument leaves no trailing space");
        assertEquals("", CmdlineParser.argv0Basename(new byte[0], 0));
    }

    @Test
    void cutCommIsCompletedFromArgv0Only() {
        assertEquals("very-long-daemon-name", ProcessNames.resolve("very-long-daemo", 15, "very-long-daemon-name"));
        assertEquals("very-long-daemo", ProcessNames.resolve("very-long-daemo", 15, "other-program"));
        assertEquals("short", ProcessNames.resolve("short", 5, "short-but-argv-longer"));
        assertEquals("very-long-daemo", ProcessNames.resolve("very-long-daemo", 15, ""));
    }
}
