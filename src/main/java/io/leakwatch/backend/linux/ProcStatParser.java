package io.leakwatch.backend.linux;

import java.nio.charset.StandardCharsets;

/** Parses /proc/PID/stat. comm may hold spaces and parentheses, so it ends at the LAST ')'. */
final class ProcStatParser {
    private ProcStatParser() {
    }

    static ProcStat parse(byte[] buf, int len) {
        int open = -1;
        for (int i = 0; i < len; i++) {
            if (buf[i] == '(') {
                open = i;
                break;
            }
        }
        int close = -1;
        for (int i = len - 1; i > open; i--) {
            if (buf[i] == ')') {
                close = i;
                break;
            }
        }
        if (open < 1 || close < 0) {
            throw new MalformedProcFileException("stat: no (comm)");
        }
        long pid = ProcBytes.parseLong(buf, 0, open - 1, "stat pid");
        String comm = new String(buf, open + 1, close - open - 1, StandardCharsets.UTF_8);
        int commBytes = close - open - 1;

        // Fields 3.. follow ") "; collect the start offset of the ones we need.
        long[] wanted = new long[24];
        int field = 3;
        int pos = close + 1;
        char state = '?';
        while (field <= 23) {
            pos = ProcBytes.skipSpaces(buf, pos, len);
            if (pos >= len || buf[pos] == '\n') {
                throw new MalformedProcFileException("stat: only " + (field - 1) + " fields");
            }
            int end = ProcBytes.skipToken(buf, pos, len);
            if (field == 3) {
                state = (char) (buf[pos] & 0xff);
            } else if (isWanted(field)) {
                wanted[field] = ProcBytes.parseLong(buf, pos, end, "stat field " + field);
            }
            pos = end;
            field++;
        }
        return new ProcStat(pid, comm, commBytes, state, wanted[4], wanted[5], wanted[10], wanted[12],
                wanted[14], wanted[15], wanted[18], wanted[20], wanted[22], wanted[23]);
    }

    private static boolean isWanted(int field) {
        switch (field) {
            case 4: case 5: case 10: case 12: case 14: case 15: case 18: case 20: case 22: case 23:
                return true;
            default:
                return false;
        }
    }
}
