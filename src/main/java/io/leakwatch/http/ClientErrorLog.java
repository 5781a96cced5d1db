package io.leakwatch.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Logs what clients get wrong without letting clients fill the log: the first event of a kind
 * is one line, further events of that kind within the interval are only counted, and the count
 * is one line when the interval is over. Client input in a line is at most
 * {@link #MAX_ECHO_CHARS} printable ASCII characters; anything else is escaped.
 *
 * <p>Kinds are fixed strings from leakwatch's code (so their number is bounded), never client input.
 * Thread-safe.
 */
final class ClientErrorLog {
    static final int MAX_ECHO_CHARS = 100;
    static final long DEFAULT_INTERVAL_MILLIS = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger("io.leakwatch.http.clients");

    private final long intervalNanos;
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();

    private static final class Kind {
        long lastLineNanos;
        long counted;    // events since the last line
        boolean logged;  // at least one line so far
    }

    ClientErrorLog(long intervalMillis) {
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    /** One event of {@code kind}; {@code clientInput} is what the client sent or who it is. */
    void note(String kind, String clientInput) {
        Kind k = kinds.computeIfAbsent(kind, x -> new Kind());
        long now = System.nanoTime();
        long before;
        synchronized (k) {
            if (k.logged && now - k.lastLineNanos < intervalNanos) {
                k.counted++;
                return;
            }
            before = k.counted;
            k.counted = 0;
            k.logged = true;
            k.lastLineNanos = now;
        }
        LOG.warn("{}{}: {}", kind, before > 0 ? " (" + before + " more before this one)" : "", printable(clientInput));
    }

    /** Writes the counts of kinds whose interval is over. */
    void flush() {
        long now = System.nanoTime();
        kinds.forEach((kind, k) -> {
            long n;
            synchronized (k) {
                if (k.counted == 0 || now - k.lastLineNanos < intervalNanos) {
                    return;
                }
                n = k.counted;
                k.counted = 0;
                k.lastLineNanos = now;
            }
            LOG.warn("{}: {} more in the last {} s", kind, n, TimeUnit.NANOSECONDS.toSeconds(intervalNanos));
        });
    }

    /** At most {@link #MAX_ECHO_CHARS} characters of printable ASCII; others as \xNN; "..." when cut. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_ECHO_CHARS) + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String piece = c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf(c)
                    : c == '\\' ? "\\\\" : String.format("\\x%02x", (int) c & 0xff);
            if (b.length() + piece.length() > MAX_ECHO_CHARS) {
                return b.append("...").toString();
            }
            b.append(piece);
        }
        return b.toString();
    }
}
