package io.leakwatch.backend.linux;

import java.nio.charset.StandardCharsets;

/** Parses the "Key:\tvalue kB" lines of /proc/PID/status that the metrics need. */
final class ProcStatusParser {
    private static final byte[] VM_RSS = ascii("VmRSS:");
    private static final byte[] VM_HWM = ascii("VmHWM:");
    private static final byte[] RSS_ANON = ascii("RssAnon:");
    private static final byte[] VM_SWAP = ascii("VmSwap:");
    private static final byte[] UID = ascii("Uid:");

    private ProcStatusParser() {
    }

    static ProcStatus parse(byte[] buf, int len) {
        long rss = -1, hwm = -1, anon = -1, swap = -1, uid = -1;
        int line = 0;
        while (line < len) {
            int eol = ProcBytes.endOfLine(buf, line, len);
            if (ProcBytes.startsWith(buf, line, eol, VM_RSS)) {
                rss = kilobytes(buf, line + VM_RSS.length, eol, "VmRSS");
            } else if (ProcBytes.startsWith(buf, line, eol, VM_HWM)) {
                hwm = kilobytes(buf, line + VM_HWM.length, eol, "VmHWM");
            } else if (ProcBytes.startsWith(buf, line, eol, RSS_ANON)) {
                anon = kilobytes(buf, line + RSS_ANON.length, eol, "RssAnon");
            } else if (ProcBytes.startsWith(buf, line, eol, VM_SWAP)) {
                swap = kilobytes(buf, line + VM_SWAP.length, eol, "VmSwap");
            } else if (ProcBytes.startsWith(buf, line, eol, UID)) {
                int from = ProcBytes.skipSpaces(buf, line + UID.length, eol);
                uid = ProcBytes.parseLong(buf, from, ProcBytes.skipToken(buf, from, eol), "Uid");
            }
            line = eol + 1;
        }
        if (uid < 0) {
            throw new MalformedProcFileException("status: no Uid line");
        }
        return new ProcStatus(rss, hwm, anon, swap, uid);
    }

    /** "  1234 kB" -> bytes. */
    private static long kilobytes(byte[] buf, int from, int eol, String what) {
        int start = ProcBytes.skipSpaces(buf, from, eol);
        int end = ProcBytes.skipToken(buf, start, eol);
        long kb = ProcBytes.parseLong(buf, start, end, what);
        if (kb > Long.MAX_VALUE / 1024) {
            throw new MalformedProcFileException("status: " + what + " too large");
        }
        return kb * 1024;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
