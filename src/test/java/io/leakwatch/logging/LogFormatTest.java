package io.leakwatch.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every line the log writes parses as one logfmt record, or one JSON object, whatever the values hold. */
class LogFormatTest {
    /** Values a stranger can put into a log line: process names, command lines, client input. */
    static final List<String> HOSTILE = List.of(
            "plain",
            "",
            "two words",
            "evil\nlevel=ERROR msg=\"forged\"",
            "cr\rreturn",
            "quote\" and back\\slash",
            "key=value",
            "tab\there",
            "nul\u0000byte",
            "del\u007f",
            "nel\u0085line",
            "ls\u2028ps\u2029",
            "bidi\u202eevil\u202c",
            "zero\u200bwidth",
            "emoji \ud83d\udca5 and 记录器",
            "\u001b[31mred\u001b[0m",
            "trailing space ",
            " ");

    @TempDir
    Path dir;

    /** Logs every hostile value as the message and as a field, through the real appender, and returns the file's lines. */
    private List<String> logEverything(LogFormat format, Level level) throws IOException {
        Path file = dir.resolve(format + "-" + level + ".log");
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.start();
        try {
            Logging.install(context, level, format, new Logging.Target.File(file.toString()));
            Logger log = context.getLogger("io.leakwatch.test");
            for (String value : HOSTILE) {
                log.info(value);
                log.atWarn().setMessage("suspect {}").addArgument(value).addKeyValue("process", value)
                        .addKeyValue("process_id", 42L).addKeyValue("growing", true).log();
            }
            log.error("scrape failed", new IllegalStateException("first\nsecond line"));
            context.getLogger("org.eclipse.jetty.server.HttpChannel").warn("bad request from {}", "CONNECT\r\nevil");
        } finally {
            context.stop();
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    private void checkEveryLine(LogFormat format, Function<String, Map<String, String>> parse) throws IOException {
        List<String> lines = logEverything(format, Level.INFO);
        assertEquals(HOSTILE.size() * 2 + 2, lines.size(), "one line per event, none forged:\n" + String.join("\n", lines));
        List<Map<String, String>> records = new ArrayList<>();
        for (String line : lines) {
            for (char c : line.toCharArray()) {
                assertFalse(c < ' ' || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029' || c == '\u202e',
                        "raw control or separator character U+" + Integer.toHexString(c) + " in " + line);
            }
            records.add(parse.apply(line));
        }
        for (int i = 0; i < HOSTILE.size(); i++) {
            Map<String, String> info = records.get(2 * i);
            assertEquals(List.of("time", "level", "source", "msg"), List.copyOf(info.keySet()), lines.get(2 * i));
            assertEquals("INFO", info.get("level"));
            assertEquals(HOSTILE.get(i), info.get("msg"), "the message comes back exactly");
            assertTrue(info.get("source").matches("LogFormatTest\\.java:\\d+"), info.get("source"));
            OffsetDateTime.parse(info.get("time")); // RFC 3339

            Map<String, String> warn = records.get(2 * i + 1);
            assertEquals(List.of("time", "level", "source", "msg", "process", "process_id", "growing"), List.copyOf(warn.keySet()));
            assertEquals("WARN", warn.get("level"));
            assertEquals("suspect " + HOSTILE.get(i), warn.get("msg"));
            assertEquals(HOSTILE.get(i), warn.get("process"));
            assertEquals("42", warn.get("process_id"));
            assertEquals("true", warn.get("growing"));
        }
        Map<String, String> error = records.get(records.size() - 2);
        assertEquals("ERROR", error.get("level"));
        assertEquals("java.lang.IllegalStateException: first\nsecond line", error.get("err"));
        assertFalse(error.containsKey("stack"), "stack traces only at debug level");
        Map<String, String> jetty = records.get(records.size() - 1);
        assertEquals("bad request from CONNECT\r\nevil", jetty.get("msg"));
    }

    @Test
    void logfmtLinesParseAsLogfmt() throws IOException {
        checkEveryLine(LogFormat.LOGFMT, LogLines::logfmt);
    }

    @Test
    void jsonLinesParseAsJson() throws IOException {
        checkEveryLine(LogFormat.JSON, LogLines::json);
    }

    @Test
    void logfmtLooksLikePromslog() throws IOException {
        String line = logEverything(LogFormat.LOGFMT, Level.INFO).get(0);
        assertTrue(line.matches("time=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) level=INFO "
                + "source=LogFormatTest\\.java:\\d+ msg=plain"), line);
        String quoted = logEverything(LogFormat.LOGFMT, Level.INFO).get(2);
        assertTrue(quoted.endsWith(" msg=\"\""), "an empty value is quoted, as slog does: " + quoted);
    }

    @Test
    void debugLevelAddsTheStackTraceAsOneField() throws IOException {
        List<String> lines = logEverything(LogFormat.LOGFMT, Level.DEBUG);
        Map<String, String> error = lines.stream().map(LogLines::logfmt)
                .filter(r -> "ERROR".equals(r.get("level"))).findFirst().orElseThrow();
        assertTrue(error.get("stack").contains("\tat io.leakwatch.logging.LogFormatTest"), error.get("stack"));
    }

    @Test
    void theReaderUsedHereRejectsWhatIsNotLogfmt() {
        for (String bad : List.of("msg=a b", "msg=\"open", "msg=\"a\"b=c", "=x", "a=1  b=2", "msg=x\u0001", "a=1 a=2", "2026 INFO Main - started")) {
            try {
                LogLines.logfmt(bad);
                throw new AssertionError("accepted: " + bad);
            } catch (IllegalArgumentException expected) {
                // the reader would catch a malformed line
            }
        }
    }

    @Test
    void eventLogMessagesDropTimeAndLevelAsWindowsExporterDoes() {
        assertEquals("source=Main.java:1 msg=started",
                EventLogAppender.message("time=2026-08-07T10:00:00.000Z level=INFO source=Main.java:1 msg=started"));
        String json = "{\"time\":\"x\",\"level\":\"INFO\",\"msg\":\"m\"}";
        assertEquals(json, EventLogAppender.message(json));
    }
}
