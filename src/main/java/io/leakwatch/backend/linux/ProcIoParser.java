package io.leakwatch.backend.linux;

import java.nio.charset.StandardCharsets;

/** Parses /proc/PID/io. */
final class ProcIoParser {
    private static final byte[] RCHAR = "rchar:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WCHAR = "wchar:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SYSCR = "syscr:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SYSCW = "syscw:".getBytes(StandardCharsets.US_ASCII);

    private ProcIoParser() {
    }

    static ProcIo parse(byte[] buf, int len) {
        long rchar = -1, wchar = -1, syscr = -1, syscw = -1;
        int line = 0;
        while (line < len) {
            int eol = ProcBytes.endOfLine(buf, line, len);
            if (ProcBytes.startsWith(buf, line, eol, RCHAR)) {
                rchar = value(buf, line + RCHAR.length, eol, "io rchar");
            } else if (ProcBytes.startsWith(buf, line, eol, WCHAR)) {
                wchar = value(buf, line + WCHAR.length, eol, "io wchar");
            } else if (ProcBytes.startsWith(buf, line, eol, SYSCR)) {
                syscr = value(buf, line + SYSCR.length, eol, "io syscr");
            } else if (ProcBytes.startsWith(buf, line, eol, SYSCW)) {
                syscw = value(buf, line + SYSCW.length, eol, "io syscw");
            }
            line = eol + 1;
        }
        if (rchar < 0 || wchar < 0 || syscr < 0 || syscw < 0) {
            throw new MalformedProcFileException("io: missing rchar/wchar/syscr/syscw");
        }
        return new ProcIo(rchar, wchar, syscr, syscw);
    }

    private static long value(byte[] buf, int from, int eol, String what) {
        int start = ProcBytes.skipSpaces(buf, from, eol);
        return ProcBytes.parseLong(buf, start, ProcBytes.skipToken(buf, start, eol), what);
    }
}
