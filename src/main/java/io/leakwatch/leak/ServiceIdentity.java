package io.leakwatch.leak;

import io.leakwatch.model.ProcessInfo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes successive processes lives of one service: the same name, the same owner and the same
 * command line once its volatile parts are removed. Volatile are: runs of 5 or more digits (pids,
 * timestamps, ephemeral ports), UUIDs, and words of 8 or more hex digits with at least one digit
 * (hashes, random ids). Version numbers and short numbers stay, so {@code worker1} and {@code worker2}
 * are two services. Kept as a 128-bit hash, so a long command line costs no memory and never reaches
 * the state file.
 *
 * @param hex 32 hex digits
 */
record ServiceIdentity(String hex) {
    static final int MIN_VOLATILE_DIGITS = 5;
    static final int MIN_VOLATILE_HEX = 8;

    static ServiceIdentity of(ProcessInfo info) {
        return of(info.name(), info.owner(), info.cmdline());
    }

    static ServiceIdentity of(String name, String owner, String cmdline) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(owner.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(normalize(cmdline).getBytes(StandardCharsets.UTF_8));
        byte[] digest = sha.digest();
        return new ServiceIdentity(HexFormat.of().formatHex(digest, 0, 16));
    }

    /** A saved identity: 32 lower-case hex digits, else null. */
    static ServiceIdentity parse(String text) {
        if (text == null || text.length() != 32) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return null;
            }
        }
        return new ServiceIdentity(text);
    }

    /** The command line with its volatile parts replaced by '#'; one pass, linear in the length. */
    static String normalize(String cmdline) {
        StringBuilder out = new StringBuilder(cmdline.length());
        int n = cmdline.length();
        int i = 0;
        while (i < n) {
            char c = cmdline.charAt(i);
            if (!isAlnum(c)) {
                out.append(c);
                i++;
                continue;
            }
            int uuidEnd = uuidEnd(cmdline, i);
            if (uuidEnd > 0) {
                out.append('#');
                i = uuidEnd;
                continue;
            }
            int end = i;
            boolean allHex = true;
            boolean anyDigit = false;
            while (end < n && isAlnum(cmdline.charAt(end))) {
                char d = cmdline.charAt(end);
                anyDigit |= isDigit(d);
                allHex &= isHex(d);
                end++;
            }
            if (anyDigit && allHex && end - i >= MIN_VOLATILE_HEX) {
                out.append('#');
            } else {
                appendWord(out, cmdline, i, end);
            }
            i = end;
        }
        return out.toString();
    }

    /** A word with its runs of {@link #MIN_VOLATILE_DIGITS}+ digits replaced. */
    private static void appendWord(StringBuilder out, String s, int from, int to) {
        int i = from;
        while (i < to) {
            if (!isDigit(s.charAt(i))) {
                out.append(s.charAt(i++));
                continue;
            }
            int end = i;
            while (end < to && isDigit(s.charAt(end))) {
                end++;
            }
            if (end - i >= MIN_VOLATILE_DIGITS) {
                out.append('#');
            } else {
                out.append(s, i, end);
            }
            i = end;
        }
    }

    /** End of a UUID (8-4-4-4-12 hex digits) starting at {@code i}, or -1. */
    private static int uuidEnd(String s, int i) {
        int[] groups = {8, 4, 4, 4, 12};
        int p = i;
        for (int g = 0; g < groups.length; g++) {
            for (int k = 0; k < groups[g]; k++) {
                if (p >= s.length() || !isHex(s.charAt(p))) {
                    return -1;
                }
                p++;
            }
            if (g < groups.length - 1) {
                if (p >= s.length() || s.charAt(p) != '-') {
                    return -1;
                }
                p++;
            }
        }
        return p < s.length() && isAlnum(s.charAt(p)) ? -1 : p;
    }

    private static boolean isAlnum(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
