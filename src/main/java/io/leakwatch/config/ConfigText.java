package io.leakwatch.config;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Guards for the text of config files before a parser sees it: a size cap (read through a bounded
 * stream, so a huge file or a device never fills the heap) and a nesting cap (the YAML composer and
 * the HOCON/JSON parser recurse per level, so 5,000 nested brackets would overflow the stack).
 * Settings files are small: both caps are far above any real one.
 */
public final class ConfigText {
    static final int MAX_BYTES = 1024 * 1024;
    static final int MAX_NESTING = 64;

    private ConfigText() {
    }

    /**
     * The file's text in the encodings YAML allows, as windows_exporter's YAML reader takes them:
     * UTF-8, or UTF-16 little or big endian (what Windows PowerShell 5.1's Out-File writes), with or
     * without a byte order mark. Without one, UTF-16 shows in its first character, which is ASCII in
     * any settings file (a 0 byte before or after it, as the YAML specification detects it).
     *
     * @throws IOException when unreadable, over {@link #MAX_BYTES} or not valid text in its encoding
     *                     (the message says which)
     */
    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException("larger than " + MAX_BYTES / 1024 + " KiB, which no settings file needs");
            }
            return decode(bytes);
        }
    }

    static String decode(byte[] b) throws IOException {
        int skip = 0;
        Charset charset = StandardCharsets.UTF_8;
        if (b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
            skip = 3;
        } else if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE) {
            charset = StandardCharsets.UTF_16LE;
            skip = 2;
        } else if (b.length >= 2 && (b[0] & 0xFF) == 0xFE && (b[1] & 0xFF) == 0xFF) {
            charset = StandardCharsets.UTF_16BE;
            skip = 2;
        } else if (b.length >= 2 && b[0] == 0 && b[1] != 0) {
            charset = StandardCharsets.UTF_16BE;
        } else if (b.length >= 2 && b[0] != 0 && b[1] == 0) {
            charset = StandardCharsets.UTF_16LE;
        }
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, skip, b.length - skip)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not valid " + (charset == StandardCharsets.UTF_8 ? "UTF-8" : "UTF-16")
                    + " text (save it as UTF-8 or UTF-16)");
        }
    }

    /** @return a one-line problem, or null when the YAML nests no deeper than {@link #MAX_NESTING} */
    public static String yamlTooDeep(String text, LoadSettings settings) {
        int depth = 0;
        // The low-level parser keeps its own stack (no recursion), so it walks any depth safely.
        for (Event event : new Parse(settings).parseString(text)) {
            switch (event.getEventId()) {
                case MappingStart, SequenceStart -> {
                    if (++depth > MAX_NESTING) {
                        return "nested deeper than " + MAX_NESTING + " levels";
                    }
                }
                case MappingEnd, SequenceEnd -> depth--;
                case DocumentEnd -> {
                    return null; // only the first document is read
                }
                default -> { }
            }
        }
        return null;
    }

    /** @return a one-line problem, or null when the HOCON/JSON nests no deeper than {@link #MAX_NESTING} */
    static String bracesTooDeep(String text) {
        int depth = 0;
        boolean inString = false;
        boolean inComment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inComment) {
                inComment = c != '\n';
            } else if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '#' || (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '/')) {
                inComment = true;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_NESTING) {
                    return "nested deeper than " + MAX_NESTING + " levels";
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return null;
    }
}
