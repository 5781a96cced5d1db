package io.leakwatch.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.event.KeyValuePair;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Logback layout writing each event as promslog (Prometheus' log package, which windows_exporter
 * uses) writes it: {@code time}, {@code level}, {@code source}, {@code msg}, then the event's
 * SLF4J key-value pairs and {@code err} for an exception; logfmt or JSON, always one line.
 * Jackson does the escaping in both formats: a logfmt value that needs quoting is written as a JSON
 * string, which logfmt parsers read. Thread-safe: no mutable state.
 */
public final class PromslogLayout extends LayoutBase<ILoggingEvent> {
    /** slog's text handler: RFC 3339 with milliseconds, local offset. */
    private static final DateTimeFormatter LOGFMT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    /** slog's JSON handler: RFC 3339 with as many fraction digits as needed. */
    private static final DateTimeFormatter JSON_TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final JsonFactory JSON = new JsonFactory().setCharacterEscapes(LogEscapes.INSTANCE);

    private final LogFormat format;
    private final ZoneId zone;
    private final boolean stackTraces;

    /**
     * @param format      logfmt or JSON
     * @param zone        time zone of {@code time} (promslog: local time)
     * @param stackTraces add an exception's stack trace as {@code stack} (debug level), else just {@code err}
     */
    public PromslogLayout(LogFormat format, ZoneId zone, boolean stackTraces) {
        this.format = format;
        this.zone = zone;
        this.stackTraces = stackTraces;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringWriter out = new StringWriter(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setRootValueSeparator(null);
            Line line = format == LogFormat.JSON ? new JsonLine(g) : new LogfmtLine(g);
            line.begin();
            Instant time = Instant.ofEpochMilli(event.getTimeStamp());
            line.field("time", format == LogFormat.JSON
                    ? JSON_TIME.format(event.getInstant().atZone(zone))
                    : LOGFMT_TIME.format(time.truncatedTo(ChronoUnit.MILLIS).atZone(zone)));
            line.field("level", level(event.getLevel()));
            String source = source(event);
            if (source != null) {
                line.field("source", source);
            }
            line.field("msg", event.getFormattedMessage() == null ? "" : event.getFormattedMessage());
            List<KeyValuePair> pairs = event.getKeyValuePairs();
            if (pairs != null) {
                for (KeyValuePair pair : pairs) {
                    line.field(key(pair.key), pair.value);
                }
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                line.field("err", thrown.getClassName() + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage()));
                if (stackTraces) {
                    line.field("stack", ThrowableProxyUtil.asString(thrown).replace("\r", ""));
                }
            }
            line.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.append('\n').toString();
    }

    /** slog's names: DEBUG, INFO, WARN, ERROR. */
    static String level(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "ERROR";
            case Level.WARN_INT -> "WARN";
            case Level.INFO_INT -> "INFO";
            default -> "DEBUG";
        };
    }

    /** {@code File.java:42}, as promslog writes {@code file.go:42}. */
    private static String source(ILoggingEvent event) {
        StackTraceElement[] callers = event.getCallerData();
        if (callers == null || callers.length == 0 || callers[0].getFileName() == null) {
            return null;
        }
        return callers[0].getFileName() + ":" + callers[0].getLineNumber();
    }

    /** Keys are ours, but a key must stay one logfmt token whatever it holds. */
    private static String key(String key) {
        if (key == null || key.isEmpty()) {
            return "_";
        }
        StringBuilder b = new StringBuilder(key.length());
        key.codePoints().forEach(c -> b.appendCodePoint(c > ' ' && c < 0x7f && c != '=' && c != '"' ? c : '_'));
        return b.toString();
    }

    private interface Line {
        void begin() throws IOException;

        void field(String key, Object value) throws IOException;

        void end() throws IOException;
    }

    private static final class JsonLine implements Line {
        private final JsonGenerator g;

        JsonLine(JsonGenerator g) {
            this.g = g;
        }

        @Override
        public void begin() throws IOException {
            g.writeStartObject();
        }

        @Override
        public void field(String key, Object value) throws IOException {
            g.writeFieldName(key);
            if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
                g.writeNumber(((Number) value).longValue());
            } else if (value instanceof Double d && Double.isFinite(d)) {
                g.writeNumber(d);
            } else if (value instanceof Boolean b) {
                g.writeBoolean(b);
            } else {
                g.writeString(String.valueOf(value));
            }
        }

        @Override
        public void end() throws IOException {
            g.writeEndObject();
        }
    }

    /** {@code key=value} separated by spaces; a value is quoted (as a JSON string) only when it must be. */
    private static final class LogfmtLine implements Line {
        private final JsonGenerator g;
        private boolean first = true;

        LogfmtLine(JsonGenerator g) {
            this.g = g;
        }

        @Override
        public void begin() {
        }

        @Override
        public void field(String key, Object value) throws IOException {
            String text = String.valueOf(value);
            g.writeRaw(first ? key + "=" : " " + key + "=");
            first = false;
            if (needsQuoting(text)) {
                g.writeString(text);
            } else {
                g.writeRaw(text);
            }
            g.flush();
        }

        @Override
        public void end() throws IOException {
            g.flush();
        }
    }

    /**
     * slog's rule: quote an empty value, and one holding a space, '=', '"', an ASCII control, or a
     * non-ASCII space, control or other invisible character. Everything else is written bare.
     */
    static boolean needsQuoting(String s) {
        if (s.isEmpty()) {
            return true;
        }
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (c < 0x80) {
                if (c <= ' ' || c == '=' || c == '"' || c == 0x7f) {
                    return true;
                }
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c) || LogEscapes.mustEscape(c)
                    || Character.getType(c) == Character.SURROGATE || Character.getType(c) == Character.PRIVATE_USE) {
                return true;
            }
            i += Character.charCount(c);
        }
        return false;
    }
}
