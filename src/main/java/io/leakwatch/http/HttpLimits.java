package io.leakwatch.http;

import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;

import java.util.List;

/**
 * Bounds on what clients can hold, applied before TLS and before authentication where they can be.
 *
 * @param maxHeaderBytes          most bytes of a request header (431 beyond)
 * @param idleTimeoutMillis       a connection that sends or reads nothing this long is closed (TLS included)
 * @param headerTimeoutMillis     a request header must be complete this long after its first byte
 *                                (a client that trickles a header is closed); a TLS handshake gets half of it
 * @param maxRequests             requests to the endpoints that do work (metrics, /leaks) served at once;
 *                                503 beyond (0 = no limit); a quarter of it may wait for a password check
 * @param maxConnections          connections open at once, all clients together (lowered to fit the heap)
 * @param maxConnectionsPerClient connections open at once from one client address (an IPv6 /64)
 * @param stopTimeoutMillis       how long a graceful stop waits for scrapes in flight
 */
public record HttpLimits(int maxHeaderBytes, long idleTimeoutMillis, long headerTimeoutMillis, int maxRequests,
                         int maxConnections, int maxConnectionsPerClient, long stopTimeoutMillis) {
    public static final int DEFAULT_MAX_HEADER_BYTES = 8 * 1024;
    public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 30_000;
    public static final long DEFAULT_HEADER_TIMEOUT_MILLIS = 10_000;
    public static final long DEFAULT_STOP_TIMEOUT_MILLIS = 5_000;

    public static final Flag MAX_REQUESTS = Flag.string("web.max-requests", "8",
            "Most requests to /metrics and /leaks served at once; more get 503 (0 = no limit).");
    public static final Flag MAX_CONNECTIONS = Flag.string("web.max-connections", "128",
            "Most connections open at once, before TLS and authentication; lowered to what a quarter of the heap holds.");
    public static final Flag MAX_CONNECTIONS_PER_CLIENT = Flag.string("web.max-connections-per-client", "16",
            "Most connections open at once from one client address (IPv6: one /64).");
    public static final List<Flag> FLAGS = List.of(MAX_REQUESTS, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_CLIENT);

    public HttpLimits {
        if (maxConnections < 1 || maxConnectionsPerClient < 1 || headerTimeoutMillis < 2 || idleTimeoutMillis < 1) {
            throw new IllegalArgumentException("connection limits and timeouts must be positive");
        }
    }

    /** The TLS handshake's share of the header timeout. */
    public long handshakeTimeoutMillis() {
        return headerTimeoutMillis / 2;
    }

    static HttpLimits from(ConfigValues c) throws UsageException {
        int maxRequests = c.integer(MAX_REQUESTS, 0, Integer.MAX_VALUE, "a whole number >= 0 (0 = no limit)");
        int maxConnections = c.integer(MAX_CONNECTIONS, 1, 1_000_000, "a whole number >= 1");
        int perClient = c.integer(MAX_CONNECTIONS_PER_CLIENT, 1, 1_000_000, "a whole number >= 1");
        return new HttpLimits(DEFAULT_MAX_HEADER_BYTES, DEFAULT_IDLE_TIMEOUT_MILLIS, DEFAULT_HEADER_TIMEOUT_MILLIS,
                maxRequests, maxConnections, perClient, DEFAULT_STOP_TIMEOUT_MILLIS);
    }
}
