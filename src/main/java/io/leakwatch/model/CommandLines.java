package io.leakwatch.model;

/** Label text rules shared by the backends. */
public final class CommandLines {
    private CommandLines() {
    }

    /**
     * Trims surrounding white space exactly as Go's strings.TrimSpace does (windows_exporter trims
     * the cmdline label with it): Unicode White_Space, which unlike Java's String.strip() includes
     * U+0085 and the no-break spaces U+00A0, U+2007 and U+202F, and excludes U+001C..U+001F.
     */
    public static String trimSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isGoSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isGoSpace(s.charAt(end - 1))) {
            end--;
        }
        return start == 0 && end == s.length() ? s : s.substring(start, end);
    }

    /** Go's unicode.IsSpace (all White_Space code points are in the BMP). */
    static boolean isGoSpace(char c) {
        return switch (c) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> c >= 0x2000 && c <= 0x200A;
        };
    }
}
