package io.leakwatch.logging;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * What Jackson escapes in a log value beyond JSON's minimum (quote, backslash, U+0000–U+001F):
 * DEL and the C1 controls (U+0085 is a line break to some tools), the line and paragraph
 * separators, and invisible format characters such as the bidirectional overrides, which can make
 * a line read differently from what it holds. A value can then never start a line of its own or
 * disguise the one it is on, in either format. Thread-safe: immutable.
 */
final class LogEscapes extends CharacterEscapes {
    static final LogEscapes INSTANCE = new LogEscapes();
    private static final long serialVersionUID = 1L;

    private final int[] ascii;

    private LogEscapes() {
        int[] codes = CharacterEscapes.standardAsciiEscapesForJSON();
        codes[0x7f] = CharacterEscapes.ESCAPE_STANDARD;
        this.ascii = codes;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return ascii.clone();
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        return mustEscape(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }

    /** For non-ASCII characters: controls, separators and format characters. */
    static boolean mustEscape(int ch) {
        return switch (Character.getType(ch)) {
            case Character.CONTROL, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.FORMAT,
                    Character.UNASSIGNED -> true;
            default -> false;
        };
    }
}
