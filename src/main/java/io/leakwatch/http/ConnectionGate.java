package io.leakwatch.http;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Limits on network connections, applied when a connection is accepted, before TLS and before
 * any HTTP parsing or authentication:
 * <ul>
 * <li>at most {@code maxConnections} open at once, and at most {@code maxPerClient} from one
 * client address (an IPv6 client is its /64, the block one host usually gets);</li>
 * <li>when the total is reached, a new connection gets in only in place of one from a client
 * holding at least two more connections than the newcomer's, and not yet granted a request
 * (see {@link #roomFor}); otherwise it is refused at accept, which costs nothing but the accept;</li>
 * <li>a client address whose password was just refused gets its next connections refused at
 * accept for a second ({@link #penalize});</li>
 * <li>a TLS handshake must finish within the handshake timeout, and a request header must be
 * complete within the header timeout from its first byte (plain and TLS alike: the check reads
 * the decrypted HTTP connection's counters). The connector's idle timeout applies to the network
 * connection itself, so it covers TLS too.</li>
 * </ul>
 * The number of connections is the memory budget: each one can hold at most a TLS packet buffer,
 * a request buffer and a header ({@link #WORST_CASE_BYTES_PER_CONNECTION}), and the cap is lowered
 * so that all of them together fit in a quarter of the heap.
 *
 * <p>Thread-safe: Jetty calls it from its selector and worker threads, the watchdog from its own.
 */
final class ConnectionGate extends AbstractLifeCycle
        implements SelectorManager.AcceptListener, Connection.Listener, SslHandshakeListener {
    /** Measured bound on the heap one held connection costs (see the hostile-client test): TLS packet buffers and engine, request buffer, an 8 KiB header. */
    static final long WORST_CASE_BYTES_PER_CONNECTION = 64 * 1024;
    /** After a refused password, new connections from that client address are refused at accept this long. */
    static final long PENALTY_MILLIS = 1000;
    /** Most client addresses remembered as penalized at once (beyond, new ones are not penalized). */
    static final int MAX_PENALIZED = 4096;
    /** Share of the maximum heap that connections may hold in the worst case. */
    static final double HEAP_SHARE = 0.25;

    private final int maxConnections;
    private final int maxPerClient;
    private final long handshakeTimeoutNanos;
    private final long headerTimeoutNanos;
    private final ClientErrorLog errors;

    private final Map<SelectableChannel, Tracked> open = new LinkedHashMap<>(); // oldest first; guarded by this
    private final Map<Object, Integer> perClient = new HashMap<>();              // guarded by this
    private final Map<Object, Long> penalizedUntil = new HashMap<>();           // client -> nanoTime; guarded by this
    private ScheduledExecutorService watchdog;

    /** What the gate knows about one accepted network connection. */
    private static final class Tracked {
        final SelectableChannel channel;
        final Object client;
        final long acceptedNanos = System.nanoTime();
        volatile EndPoint network;          // null until Jetty made the endpoint
        volatile Connection http;           // the HTTP/1.1 connection (inside TLS when TLS is on)
        volatile SslConnection tls;         // null on plain connections
        volatile boolean handshaken;
        volatile boolean granted;           // a request on it was let through (authenticated when auth is on)
        long messagesSeen;                  // watchdog only
        long bytesAtLastMessage;            // watchdog only
        long headerStartedNanos = -1;       // watchdog only

        Tracked(SelectableChannel channel, Object client) {
            this.channel = channel;
            this.client = client;
        }
    }

    /**
     * @param maxConnections     most connections open at once, before the heap budget lowers it
     * @param maxPerClient       most connections from one client address
     * @param handshakeMillis    time a TLS handshake may take from accept
     * @param headerMillis       time a request header may take from its first byte
     */
    ConnectionGate(int maxConnections, int maxPerClient, long handshakeMillis, long headerMillis, ClientErrorLog errors) {
        if (maxConnections <= 0 || maxPerClient <= 0 || handshakeMillis <= 0 || headerMillis <= 0) {
            throw new IllegalArgumentException("connection limits must be positive");
        }
        this.maxConnections = Math.min(maxConnections, heapBudgetConnections(Runtime.getRuntime().maxMemory()));
        this.maxPerClient = Math.min(maxPerClient, this.maxConnections);
        this.handshakeTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(handshakeMillis);
        this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerMillis);
        this.errors = errors;
    }

    /** Connections whose worst-case buffers fit in {@link #HEAP_SHARE} of {@code maxHeapBytes}. */
    static int heapBudgetConnections(long maxHeapBytes) {
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, (long) (maxHeapBytes * HEAP_SHARE) / WORST_CASE_BYTES_PER_CONNECTION));
    }

    int maxConnections() {
        return maxConnections;
    }

    int maxPerClient() {
        return maxPerClient;
    }

    synchronized int openConnections() {
        return open.size();
    }

    @Override
    protected void doStart() {
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "leakwatch-connection-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, TimeUnit.NANOSECONDS.toMillis(Math.min(handshakeTimeoutNanos, headerTimeoutNanos)) / 4);
        watchdog.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        watchdog.shutdownNow();
        synchronized (this) {
            open.clear();
            perClient.clear();
        }
    }

    // ---- accept: before TLS, before HTTP ----

    @Override
    public void onAccepting(SelectableChannel channel) {
        Object client = clientOf(channel);
        EndPoint evict = null;
        Object evicted = null; // the client whose connection made room
        boolean refuse = false;
        String reason = null;
        synchronized (this) {
            int fromClient = perClient.getOrDefault(client, 0);
            Long until = penalizedUntil.get(client);
            if (until != null && System.nanoTime() - until < 0) {
                refuse = true;
                reason = "connections refused: a wrong password from this client address less than "
                        + PENALTY_MILLIS / 1000 + " s ago";
            } else if (fromClient >= maxPerClient) {
                refuse = true;
                reason = "connections refused: " + maxPerClient + " already open from one client address";
            } else if (open.size() >= maxConnections) {
                Tracked victim = roomFor(fromClient);
                if (victim == null) {
                    refuse = true;
                    reason = "connections refused: all " + maxConnections + " in use, none by a client with more than this one";
                } else {
                    untrack(victim.channel);
                    evict = victim.network;
                    evicted = victim.client;
                    if (evict == null) {
                        closeQuietly(victim.channel);
                    }
                    reason = "connections closed to make room: all " + maxConnections
                            + " in use; closed the oldest without a granted request from the busiest client";
                }
            }
            if (!refuse) {
                open.put(channel, new Tracked(channel, client));
                perClient.merge(client, 1, Integer::sum);
            }
        }
        if (evict != null) {
            evict.close();
        }
        Object shown = evicted != null ? evicted : client;
        if (refuse) {
            closeQuietly(channel); // Jetty then reports onAcceptFailed, which finds nothing to untrack
        }
        if (reason != null) {
            errors.note(reason, String.valueOf(shown instanceof InetAddress a ? a.getHostAddress() : shown));
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        synchronized (this) {
            untrack(channel);
        }
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        synchronized (this) {
            untrack(channel);
        }
    }

    /**
     * When every connection is taken, a new one gets in only at the expense of a client holding
     * at least two more: the oldest connection of the busiest client that has not been granted a
     * request (TLS handshake or header still in progress, or only refused requests). So a flood
     * from many addresses is refused at accept, before costing anything but the accept, while a
     * client with few connections (Prometheus) still gets in.
     *
     * @return the connection to close, or null to refuse the new one
     */
    private Tracked roomFor(int newClientConnections) {
        Object busiest = null;
        int most = 0;
        for (Map.Entry<Object, Integer> e : perClient.entrySet()) {
            if (e.getValue() > most) {
                most = e.getValue();
                busiest = e.getKey();
            }
        }
        if (most < newClientConnections + 2) {
            return null;
        }
        for (Tracked t : open.values()) {
            if (!t.granted && t.client.equals(busiest)) {
                return t;
            }
        }
        return null;
    }

    private void untrack(SelectableChannel channel) {
        Tracked t = open.remove(channel);
        if (t != null) {
            perClient.computeIfPresent(t.client, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    // ---- connections: which HTTP connection, which TLS connection belongs to which socket ----

    @Override
    public void onOpened(Connection connection) {
        EndPoint network = networkEndPoint(connection.getEndPoint());
        Tracked t;
        synchronized (this) {
            t = open.get(network.getTransport() instanceof SelectableChannel c ? c : null);
        }
        if (t == null) {
            return; // refused or evicted meanwhile
        }
        t.network = network;
        if (connection instanceof SslConnection ssl) {
            t.tls = ssl;
        } else if (connection instanceof ConnectionMetaData) {
            t.http = connection;
        }
    }

    @Override
    public void handshakeSucceeded(Event event) {
        Tracked t = find(event.getEndPoint());
        if (t != null) {
            t.handshaken = true;
        }
    }

    /**
     * A request on this connection was refused its password (or could not be checked for load):
     * the client's next connections are refused at accept for {@link #PENALTY_MILLIS}, before any
     * TLS or HTTP work, so failed attempts cost the attacker a second each, not the exporter.
     */
    void penalize(Connection connection) {
        Tracked t = find(connection.getEndPoint());
        if (t == null) {
            return;
        }
        synchronized (this) {
            if (penalizedUntil.size() < MAX_PENALIZED || penalizedUntil.containsKey(t.client)) {
                penalizedUntil.put(t.client, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PENALTY_MILLIS));
            }
        }
    }

    /**
     * Marks the connection of a request that was let through: it is no longer the first to be
     * closed when the connection cap is reached.
     */
    void granted(Connection connection) {
        Tracked t = find(connection.getEndPoint());
        if (t != null) {
            t.granted = true;
        }
    }

    private Tracked find(EndPoint endPoint) {
        if (endPoint == null) {
            return null;
        }
        Object transport = networkEndPoint(endPoint).getTransport();
        synchronized (this) {
            return transport instanceof SelectableChannel c ? open.get(c) : null;
        }
    }

    /** The endpoint on the socket: TLS wraps it, so unwrap until the transport is no endpoint. */
    private static EndPoint networkEndPoint(EndPoint endPoint) {
        EndPoint e = endPoint;
        while (e.getTransport() instanceof EndPoint inner) {
            e = inner;
        }
        return e;
    }

    // ---- the watchdog: handshake and header deadlines ----

    private void check() {
        List<Tracked> snapshot;
        long nowNanos = System.nanoTime();
        synchronized (this) {
            snapshot = new ArrayList<>(open.values());
            penalizedUntil.values().removeIf(until -> nowNanos - until >= 0);
        }
        long now = System.nanoTime();
        for (Tracked t : snapshot) {
            String late = lateness(t, now);
            if (late != null) {
                synchronized (this) {
                    untrack(t.channel);
                }
                EndPoint network = t.network;
                if (network != null) {
                    network.close();
                } else {
                    closeQuietly(t.channel);
                }
                errors.note(late, String.valueOf(t.client instanceof InetAddress a ? a.getHostAddress() : t.client));
            }
        }
        errors.flush();
    }

    /** Why the connection is past a deadline, or null. */
    private String lateness(Tracked t, long now) {
        if (t.tls != null && !t.handshaken) {
            return now - t.acceptedNanos > handshakeTimeoutNanos ? "connections closed: TLS handshake not done in time" : null;
        }
        Connection http = t.http;
        if (http == null) {
            // no endpoint yet, or a TLS connection whose HTTP layer is not open: bounded by the handshake deadline
            return now - t.acceptedNanos > handshakeTimeoutNanos + headerTimeoutNanos ? "connections closed: nothing usable in time" : null;
        }
        long messages = http.getMessagesIn();
        long bytes = http.getBytesIn();
        if (messages != t.messagesSeen) {
            t.messagesSeen = messages;
            t.bytesAtLastMessage = bytes;
            t.headerStartedNanos = -1;
            return null;
        }
        if (bytes <= t.bytesAtLastMessage) {
            return null; // idle between requests: the idle timeout's business
        }
        if (t.headerStartedNanos < 0) {
            t.headerStartedNanos = now;
            return null;
        }
        return now - t.headerStartedNanos > headerTimeoutNanos ? "connections closed: request header not complete in time" : null;
    }

    // ---- helpers ----

    /** The client address; IPv6 clients by their /64. */
    static Object clientOf(SelectableChannel channel) {
        try {
            SocketAddress remote = channel instanceof SocketChannel s ? s.getRemoteAddress() : null;
            if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
                InetAddress a = inet.getAddress();
                if (a instanceof Inet6Address) {
                    byte[] prefix = java.util.Arrays.copyOf(a.getAddress(), 16);
                    java.util.Arrays.fill(prefix, 8, 16, (byte) 0);
                    return InetAddress.getByAddress(prefix);
                }
                return a;
            }
        } catch (IOException e) {
            // already closed: counts under "unknown", and is gone at once anyway
        }
        return "unknown";
    }

    private static void closeQuietly(SelectableChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
