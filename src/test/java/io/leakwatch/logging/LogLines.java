package io.leakwatch.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Strict readers for the two log formats, for tests: each returns the fields of one line in
 * order, or throws when the line is not exactly one well-formed record.
 */
public final class LogLines {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = new JsonFactory();

    private LogLines() {
    }

    /**
     * logfmt as go-logfmt decodes it: {@code key=value} pairs separated by spaces; a key is one or
     * more characters above space other than '=' and '"'; a value is bare (no space, '=' or '"')
     * or a double-quoted string with JSON escapes. Duplicate keys are an error here.
     */
    public static Map<String, String> logfmt(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        int i = 0;
        int n = line.length();
        if (n == 0) {
            throw new IllegalArgumentException("empty line");
        }
        while (i < n) {
            int keyStart = i;
            while (i < n && line.charAt(i) > ' ' && line.charAt(i) != '=' && line.charAt(i) != '"') {
                i++;
            }
            if (i == keyStart || i >= n || line.charAt(i) != '=') {
                throw new IllegalArgumentException("no key=value at column " + keyStart + ": " + line);
            }
            String key = line.substring(keyStart, i);
            i++; // '='
            String value;
            if (i < n && line.charAt(i) == '"') {
                int end = closingQuote(line, i);
                value = unquote(line.substring(i, end + 1));
                i = end + 1;
            } else {
                int valueStart = i;
                while (i < n && line.charAt(i) != ' ') {
                    char c = line.charAt(i);
                    if (c == '=' || c == '"' || c < ' ') {
                        throw new IllegalArgumentException("bad character in bare value of " + key + ": " + line);
                    }
                    i++;
                }
                value = line.substring(valueStart, i);
            }
            if (fields.put(key, value) != null) {
                throw new IllegalArgumentException("duplicate key " + key + ": " + line);
            }
            if (i < n) {
                if (line.charAt(i) != ' ' || i + 1 == n) {
                    throw new IllegalArgumentException("expected one space after " + key + ": " + line);
                }
                i++;
            }
        }
        return fields;
    }

    private static int closingQuote(String line, int open) {
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            } else if (c < ' ') {
                throw new IllegalArgumentException("raw control character in a quoted value: " + line);
            }
        }
        throw new IllegalArgumentException("unterminated quoted value: " + line);
    }

    private static String unquote(String quoted) {
        try (JsonParser p = FACTORY.createParser(quoted)) {
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new IllegalArgumentException("not a string: " + quoted);
            }
            String s = p.getText();
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing text after " + quoted);
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("bad quoted value " + quoted + ": " + e.getMessage(), e);
        }
    }

    /** One JSON object per line, its fields as text, in order. */
    public static Map<String, String> json(String line) {
        try (JsonParser p = FACTORY.createParser(line)) {
            JsonNode node = JSON.readTree(p);
            if (node == null || !node.isObject() || p.nextToken() != null) {
                throw new IllegalArgumentException("not exactly one JSON object: " + line);
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                fields.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
            }
            return fields;
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + line + ": " + e.getMessage(), e);
        }
    }
}
