package io.leakwatch.common;

/** User input quoted in a one-line message. Thread-safe: stateless. */
public final class Printable {
    private Printable() {
    }

    /** At most 200 characters, control characters as {@code \xNN}: an error line stays one line whatever the user typed. */
    public static String of(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
