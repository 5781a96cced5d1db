package io.leakwatch.backend.linux;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Parses /proc/PID/stat. comm may hold spaces and parentheses, so it ends at the LAST ')'. */
final class ProcStatParser {
    private ProcStatParser() {
    }

    static ProcStat parse(byte[] buf, int len) {
        return parse(buf, len, true);
    }

    /**
     * @param decodeComm false skips building the comm String (it is then null): a known process's
     *                   name is cached, so a steady-state scrape needs only the numbers
     */
    static ProcStat parse(byte[] buf, int len, boolean decodeComm) {
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
        String comm = decodeComm ? new String(buf, open + 1, close - open - 1, StandardCharsets.UTF_8) : null;
        int commBytes = close - open - 1;

        // Fields 3.. follow ") "; keep the ones we need (locals, not an array: no garbage per process).
        long parentPid = 0, processGroup = 0, flags = 0, minorFaults = 0, majorFaults = 0, userTicks = 0, systemTicks = 0;
        long priority = 0, threads = 0, startTicks = 0, virtualBytes = 0;
        int field = 3;
        int pos = close + 1;
        char state = '?';
        while (field <= 23) {
            pos = ProcBytes.skipSpaces(buf, pos, len);
            if (pos >= len || buf[pos] == '\n') {
                throw new MalformedProcFileException("stat: only " + (field - 1) + " fields");
            }
            int end = ProcBytes.skipToken(buf, pos, len);
            switch (field) {
                case 3: state = (char) (buf[pos] & 0xff); break;
                case 4: parentPid = ProcBytes.parseLong(buf, pos, end, "stat ppid"); break;
                case 5: processGroup = ProcBytes.parseLong(buf, pos, end, "stat pgrp"); break;
                case 9: flags = ProcBytes.parseLong(buf, pos, end, "stat flags"); break;
                case 10: minorFaults = ProcBytes.parseLong(buf, pos, end, "stat minflt"); break;
                case 12: majorFaults = ProcBytes.parseLong(buf, pos, end, "stat majflt"); break;
                case 14: userTicks = ProcBytes.parseLong(buf, pos, end, "stat utime"); break;
                case 15: systemTicks = ProcBytes.parseLong(buf, pos, end, "stat stime"); break;
                case 18: priority = ProcBytes.parseLong(buf, pos, end, "stat priority"); break;
                case 20: threads = ProcBytes.parseLong(buf, pos, end, "stat num_threads"); break;
                case 22: startTicks = ProcBytes.parseLong(buf, pos, end, "stat starttime"); break;
                case 23: virtualBytes = ProcBytes.parseLong(buf, pos, end, "stat vsize"); break;
                default: break;
            }
            pos = end;
            field++;
        }
        return new ProcStat(pid, comm, commBytes, state, parentPid, processGroup, flags, minorFaults, majorFaults,
                userTicks, systemTicks, priority, threads, startTicks, virtualBytes);
    }

    /** The raw bytes of comm (between the first '(' and the last ')'); empty if there are none. */
    static byte[] commBytes(byte[] buf, int len) {
        int open = commOpen(buf, len);
        int close = commClose(buf, len, open);
        return open < 0 || close < 0 ? new byte[0] : Arrays.copyOfRange(buf, open + 1, close);
    }

    /** True when comm's raw bytes equal {@code comm}: a check without building a String. */
    static boolean commEquals(byte[] buf, int len, byte[] comm) {
        int open = commOpen(buf, len);
        int close = commClose(buf, len, open);
        return open >= 0 && close >= 0 && Arrays.equals(buf, open + 1, close, comm, 0, comm.length);
    }

    private static int commOpen(byte[] buf, int len) {
        for (int i = 0; i < len; i++) {
            if (buf[i] == '(') {
                return i;
            }
        }
        return -1;
    }

    private static int commClose(byte[] buf, int len, int open) {
        for (int i = len - 1; i > open && open >= 0; i--) {
            if (buf[i] == ')') {
                return i;
            }
        }
        return -1;
    }
}
