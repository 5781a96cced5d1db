package io.leakwatch.config;

/**
 * Bounds on what one client can hold: header bytes, idle time per connection (a client that
 * sends or reads nothing for this long is disconnected), the check period against clients that
 * trickle a request (closed after two periods without completing one), concurrent scrapes, and
 * how long a graceful stop waits for scrapes in flight.
 */
public record HttpLimits(int maxHeaderBytes, long idleTimeoutMillis, long slowRequestCheckMillis, int maxScrapes,
                         long stopTimeoutMillis) {
    public static final int DEFAULT_MAX_HEADER_BYTES = 8 * 1024;
    public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 30_000;
    public static final long DEFAULT_SLOW_REQUEST_CHECK_MILLIS = 5_000;
    public static final long DEFAULT_STOP_TIMEOUT_MILLIS = 5_000;

    static HttpLimits from(ConfigValues c) throws UsageException {
        int maxScrapes = c.integer(Flags.WEB_MAX_REQUESTS, 0, Integer.MAX_VALUE, "a whole number >= 0 (0 = no limit)");
        return new HttpLimits(DEFAULT_MAX_HEADER_BYTES, DEFAULT_IDLE_TIMEOUT_MILLIS, DEFAULT_SLOW_REQUEST_CHECK_MILLIS,
                maxScrapes, DEFAULT_STOP_TIMEOUT_MILLIS);
    }
}
