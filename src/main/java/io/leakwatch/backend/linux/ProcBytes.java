package io.leakwatch.backend.linux;

/** Allocation-free number scanning over the ASCII bytes of /proc files. */
final class ProcBytes {
    private ProcBytes() {
    }

    /** Index of the first non-space byte at or after {@code from}. */
    static int skipSpaces(byte[] buf, int from, int end) {
        int i = from;
        while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** Index just past the run of non-blank bytes starting at {@code from}. */
    static int skipToken(byte[] buf, int from, int end) {
        int i = from;
        while (i < end && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n') {
            i++;
        }
        return i;
    }

    /**
     * Parses a decimal integer (optionally negative) occupying exactly [from, to).
     *
     * @throws MalformedProcFileException if the range is empty, has a non-digit or overflows
     */
    static long parseLong(byte[] buf, int from, int to, String what) {
        int i = from;
        boolean negative = false;
        if (i < to && buf[i] == '-') {
            negative = true;
            i++;
        }
        if (i >= to) {
            throw new MalformedProcFileException("empty number for " + what);
        }
        long value = 0;
        for (; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                throw new MalformedProcFileException("not a number for " + what);
            }
            if (value > (Long.MAX_VALUE - d) / 10) {
                throw new MalformedProcFileException("number too large for " + what);
            }
            value = value * 10 + d;
        }
        return negative ? -value : value;
    }

    /** True when buf[at..] starts with the ASCII key. */
    static boolean startsWith(byte[] buf, int at, int end, byte[] key) {
        if (end - at < key.length) {
            return false;
        }
        for (int k = 0; k < key.length; k++) {
            if (buf[at + k] != key[k]) {
                return false;
            }
        }
        return true;
    }

    static int endOfLine(byte[] buf, int from, int end) {
        int i = from;
        while (i < end && buf[i] != '\n') {
            i++;
        }
        return i;
    }
}
