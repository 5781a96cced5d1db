package io.leakwatch.http;

import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;

import java.util.List;

/**
 * Bounds on what clients can hold, on Jetty's own parts.
 *
 * @param maxHeaderBytes    most bytes of a request header (431 beyond)
 * @param idleTimeoutMillis a connection that sends or reads nothing this long is closed (TLS handshakes
 *                          and idle keep-alive connections included)
 * @param maxRequests       requests to the endpoints that do work (metrics, /leaks) working at once;
 *                          503 beyond (0 = no limit); a quarter of it may wait for a password check
 * @param maxConnections    connections open at once (lowered to fit the heap); at the limit, the
 *                          connections idle the longest that serve no request and never authenticated make room
 * @param stopTimeoutMillis how long a graceful stop waits for scrapes in flight
 */
public record HttpLimits(int maxHeaderBytes, long idleTimeoutMillis, int maxRequests, int maxConnections, long stopTimeoutMillis) {
    public static final int DEFAULT_MAX_HEADER_BYTES = 8 * 1024;
    public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 30_000;
    public static final long DEFAULT_STOP_TIMEOUT_MILLIS = 5_000;
    /**
     * Bound on the heap one held connection costs: the hostile-client test measured about 34 KiB
     * for a TLS connection holding one byte of a ClientHello (packet buffer and engine), with room
     * for a partial 8 KiB header on top.
     */
    public static final long WORST_CASE_BYTES_PER_CONNECTION = 64 * 1024;
    /** Share of the maximum heap that connections may hold in the worst case. */
    public static final double HEAP_SHARE = 0.25;

    public static final Flag MAX_REQUESTS = Flag.string("web.max-requests", "8",
            "Most requests to /metrics and /leaks working at once (a slow reader holds none); more get 503 (0 = no limit).");
    public static final Flag MAX_CONNECTIONS = Flag.string("web.max-connections", "1024",
            "Most connections open at once (lowered to fit a quarter of the heap); at the limit, the busiest client's idle ones make room.");
    /** Kept so that command lines of earlier versions still start: a wrong password now costs its own connection only. */
    public static final Flag MAX_CONNECTIONS_PER_CLIENT = Flag.string("web.max-connections-per-client", "0",
            "No effect, accepted with a warning (earlier versions' per-address cap; --web.max-connections makes room instead).");
    public static final List<Flag> FLAGS = List.of(MAX_REQUESTS, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_CLIENT);

    public HttpLimits {
        if (maxConnections < 1 || idleTimeoutMillis < 1 || maxHeaderBytes < 1 || maxRequests < 0) {
            throw new IllegalArgumentException("connection limits and timeouts must be positive");
        }
    }

    /** Connections whose worst-case buffers fit in {@link #HEAP_SHARE} of {@code maxHeapBytes}. */
    public static int heapBudgetConnections(long maxHeapBytes) {
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, (long) (maxHeapBytes * HEAP_SHARE) / WORST_CASE_BYTES_PER_CONNECTION));
    }

    /** @param warnings gets a line for each setting that is accepted but has no effect */
    static HttpLimits from(ConfigValues c, List<String> warnings) throws UsageException {
        c.integer(MAX_CONNECTIONS_PER_CLIENT, 0, 1_000_000, "a whole number >= 0");
        if (c.given(MAX_CONNECTIONS_PER_CLIENT)) {
            warnings.add(MAX_CONNECTIONS_PER_CLIENT + " has no effect and will be removed: no address is capped or locked out; "
                    + "at " + MAX_CONNECTIONS + " the busiest client's idle connections make room");
        }
        int maxRequests = c.integer(MAX_REQUESTS, 0, Integer.MAX_VALUE, "a whole number >= 0 (0 = no limit)");
        int maxConnections = c.integer(MAX_CONNECTIONS, 1, 1_000_000, "a whole number >= 1");
        return new HttpLimits(DEFAULT_MAX_HEADER_BYTES, DEFAULT_IDLE_TIMEOUT_MILLIS, maxRequests,
                Math.min(maxConnections, heapBudgetConnections(Runtime.getRuntime().maxMemory())), DEFAULT_STOP_TIMEOUT_MILLIS);
    }
}
