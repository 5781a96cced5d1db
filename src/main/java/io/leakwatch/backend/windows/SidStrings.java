package io.leakwatch.backend.windows;

/** Formats a binary SID as Windows writes it ("S-1-5-21-..."), the owner label when no account name resolves. */
final class SidStrings {
    /** Largest SID: 8 header bytes and 15 sub-authorities (SID_MAX_SUB_AUTHORITIES). */
    static final int MAX_BYTES = 8 + 4 * 15;

    private SidStrings() {
    }

    /**
     * @return the S-R-I-S... form, or "" when the bytes are not a SID. The identifier authority is
     *         decimal below 2^32 and otherwise hexadecimal, 0x and 12 upper-case digits, as
     *         ConvertSidToStringSid writes it
     */
    static String format(byte[] sid) {
        if (sid.length < 8) {
            return "";
        }
        int revision = sid[0] & 0xFF;
        int subAuthorities = sid[1] & 0xFF;
        if (subAuthorities > 15 || sid.length < 8 + 4 * subAuthorities) {
            return "";
        }
        long authority = 0;
        for (int i = 2; i < 8; i++) {
            authority = (authority << 8) | (sid[i] & 0xFF); // big-endian 48-bit
        }
        StringBuilder out = new StringBuilder("S-").append(revision).append('-');
        if (authority < (1L << 32)) {
            out.append(authority);
        } else {
            out.append(String.format("0x%012X", authority));
        }
        for (int i = 0; i < subAuthorities; i++) {
            int at = 8 + 4 * i;
            long value = (sid[at] & 0xFFL) | (sid[at + 1] & 0xFFL) << 8 | (sid[at + 2] & 0xFFL) << 16 | (sid[at + 3] & 0xFFL) << 24;
            out.append('-').append(value); // little-endian 32-bit
        }
        return out.toString();
    }

    /** Byte length of the SID whose header starts {@code header} (8 + 4 per sub-authority), or -1 when invalid. */
    static int length(byte revision, byte subAuthorities) {
        int n = subAuthorities & 0xFF;
        return revision != 1 || n > 15 ? -1 : 8 + 4 * n;
    }
}
