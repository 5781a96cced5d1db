package io.leakwatch.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keeps clients from filling the log. Every event of the loggers a client can set off (Jetty's,
 * Javalin's and leakwatch's own {@value #CLIENTS_LOGGER}) goes through here before Logback
 * formats it: the first event of a kind (logger and message pattern) in an interval is written,
 * shortened, as one line; the others are counted, and the count rides on the kind's next line.
 * A line holds at most {@link #MAX_ARGUMENT_CHARS} printable ASCII characters of each value
 * (what a client sent), never a stack trace. So 2,000 malformed requests of a few kinds write a
 * few short lines a minute, and Jetty's warnings that echo a client's Host header in full
 * ("Bad Authority", "Bad IPv6 host", multiple Host headers) included.
 *
 * <p>Kinds are message patterns from code, not client input; past {@link #MAX_KINDS} further kinds
 * share one. Thread-safe.
 */
final class ClientLogLimit extends TurboFilter {
    static final String CLIENTS_LOGGER = "io.leakwatch.http.clients";
    static final int MAX_ARGUMENT_CHARS = 100;
    static final int MAX_KINDS = 256;
    private static final String[] LIMITED = {"org.eclipse.jetty", "io.javalin", CLIENTS_LOGGER};
    private static final ThreadLocal<Boolean> WRITING = new ThreadLocal<>();

    private final long intervalNanos;
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();

    private static final class Kind {
        long lastLineNanos;
        long suppressed; // events since the last line
        boolean written;
    }

    ClientLogLimit(long intervalMillis) {
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    /** Adds the limit to the running Logback context once (a later server replaces nothing). */
    static void install(long intervalMillis) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        synchronized (ClientLogLimit.class) {
            if (context.getTurboFilterList().stream().noneMatch(f -> f instanceof ClientLogLimit)) {
                ClientLogLimit limit = new ClientLogLimit(intervalMillis);
                limit.setContext(context);
                limit.start();
                context.addTurboFilter(limit);
            }
        }
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || logger == null || WRITING.get() != null || !limited(logger.getName())
                || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
            return FilterReply.NEUTRAL; // not ours, or below the level anyway
        }
        String key = logger.getName() + '\n' + format;
        Kind kind = kinds.get(key);
        if (kind == null) {
            kind = kinds.size() < MAX_KINDS ? kinds.computeIfAbsent(key, k -> new Kind())
                    : kinds.computeIfAbsent("", k -> new Kind());
        }
        long now = System.nanoTime();
        long before;
        synchronized (kind) {
            if (kind.written && now - kind.lastLineNanos < intervalNanos) {
                kind.suppressed++;
                return FilterReply.DENY;
            }
            before = kind.suppressed;
            kind.suppressed = 0;
            kind.written = true;
            kind.lastLineNanos = now;
        }
        write(logger, level, format, params, t, before);
        return FilterReply.DENY; // written above, shortened
    }

    private void write(Logger logger, Level level, String format, Object[] params, Throwable t, long before) {
        Object[] shown = new Object[params == null ? 0 : params.length];
        for (int i = 0; i < shown.length; i++) {
            shown[i] = printable(params[i] instanceof Throwable e ? describe(e) : String.valueOf(params[i]));
        }
        String message = MessageFormatter.basicArrayFormat(format, shown);
        if (t != null) {
            message += ": " + printable(describe(t));
        }
        if (before > 0) {
            message += " (" + before + " more like this in the last " + TimeUnit.NANOSECONDS.toSeconds(intervalNanos) + " s)";
        }
        WRITING.set(Boolean.TRUE);
        try {
            logger.log(null, Logger.FQCN, Level.toLocationAwareLoggerInteger(level), message, null, null);
        } finally {
            WRITING.remove();
        }
    }

    private static boolean limited(String name) {
        for (String prefix : LIMITED) {
            if (name.startsWith(prefix) && (name.length() == prefix.length() || name.charAt(prefix.length()) == '.')) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** At most {@link #MAX_ARGUMENT_CHARS} characters of printable ASCII; others as \xNN; "..." when cut. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_ARGUMENT_CHARS) + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String piece = c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf(c)
                    : c == '\\' ? "\\\\" : String.format("\\x%02x", (int) c & 0xff);
            if (b.length() + piece.length() > MAX_ARGUMENT_CHARS) {
                return b.append("...").toString();
            }
            b.append(piece);
        }
        return b.toString();
    }
}
