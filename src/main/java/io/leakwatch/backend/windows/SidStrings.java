package io.leakwatch.backend.windows;

/** Formats a binary SID as Windows writes it ("S-1-5-21-..."), the owner label when no account name resolves. */
final class SidStrings {
    private SidStrings() {
    }

    /** @return the S-R-I-S... form, or "" when the bytes are not a SID */
    static String format(byte[] sid) {
        if (sid.length < 8) {
            return "";
        }
        int revision = sid[0] & 0xFF;
        int subAuthorities = sid[1] & 0xFF;
        if (sid.length < 8 + 4 * subAuthorities) {
            return "";
        }
        long authority = 0;
        for (int i = 2; i < 8; i++) {
            authority = (authority << 8) | (sid[i] & 0xFF); // big-endian 48-bit
        }
        StringBuilder out = new StringBuilder("S-").append(revision).append('-').append(authority);
        for (int i = 0; i < subAuthorities; i++) {
            int at = 8 + 4 * i;
            long value = (sid[at] & 0xFFL) | (sid[at + 1] & 0xFFL) << 8 | (sid[at + 2] & 0xFFL) << 16 | (sid[at + 3] & 0xFFL) << 24;
            out.append('-').append(value); // little-endian 32-bit
        }
        return out.toString();
    }
}
