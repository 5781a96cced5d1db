package io.leakwatch.backend.windows;

/** A NUL-terminated UTF-16 string in a char array, as Win32 "W" functions fill them. */
final class Native16 {
    private Native16() {
    }

    static String string(char[] chars) {
        int end = 0;
        while (end < chars.length && chars[end] != 0) {
            end++;
        }
        return new String(chars, 0, end);
    }
}
