package io.leakwatch.http;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.IO;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The connection limit: at most {@code max} connections open at once. Where Jetty's
 * {@code NetworkConnectionLimit} stops accepting at the limit (so a flood keeps the kernel's
 * accept queue full and a scraper's new connection waits behind it, or is dropped), this one keeps
 * accepting, and shares the room out:
 * <ul>
 * <li>a connection serving a request, or one that carried a valid password, is never closed to
 * make room: connections that never authenticated never push out ones that did;</li>
 * <li>room is made at the expense of the busiest client address (an IPv6 client by its /64)
 * among those holding at least two connections more than the newcomer's and having some to
 * spare: the oldest of its connections that serves nothing (a TLS handshake or header still
 * coming, or idle between requests) is closed, found by a scan of the connections Jetty tracks;</li>
 * <li>when the newcomer's own address is about as busy as that one, it is the newcomer that is
 * closed, right after accept, before any TLS or HTTP work: a flood is refused for the price of an
 * accept, while a scraper with a connection or two gets in.</li>
 * </ul>
 * The address only decides whose idle connections go first; it is never held against anyone
 * later: no penalty, no quota. Thread-safe.
 */
final class ConnectionRoom extends AbstractLifeCycle implements SelectorManager.AcceptListener {
    private static final Logger CLIENTS = LoggerFactory.getLogger(ClientLogLimit.CLIENTS_LOGGER);
    private static final String BUSY = "io.leakwatch.busy";
    private static final String AUTHENTICATED = "io.leakwatch.authenticated";

    private final int max;
    private final List<Connector> connectors = new ArrayList<>();
    private final Map<SelectableChannel, Object> clients = new HashMap<>(); // guarded by this
    private final Map<Object, Integer> perClient = new HashMap<>();         // guarded by this

    ConnectionRoom(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the connection limit must be positive");
        }
        this.max = max;
    }

    /** Called for each connector this room covers, before the server starts. */
    void cover(Connector connector) {
        connectors.add(connector);
        connector.addBean(this, false);
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        Object client = clientOf(channel);
        Map<Object, Integer> busier;
        synchronized (this) {
            clients.put(channel, client);
            int mine = perClient.merge(client, 1, Integer::sum);
            if (clients.size() <= max) {
                return;
            }
            busier = new HashMap<>();
            for (Map.Entry<Object, Integer> e : perClient.entrySet()) {
                if (e.getValue() >= mine + 2) {
                    busier.put(e.getKey(), e.getValue());
                }
            }
        }
        // the newcomer's address is (about) the busiest: it goes, at once, not an older connection
        int closed = busier.isEmpty() ? 0 : makeRoom(busier);
        if (closed == 0) {
            IO.close(channel); // Jetty reports onAcceptFailed, which gives the count back
            CLIENTS.warn("connection refused: all {} connections in use, none to spare from a busier client", max);
        } else {
            CLIENTS.info("connection closed to make room: one serving nothing from the busiest client (limit {})", max);
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        forget(channel);
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        forget(channel);
    }

    private synchronized void forget(SelectableChannel channel) {
        Object client = clients.remove(channel);
        if (client != null) {
            perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /**
     * Closes the oldest connection that may go of the busiest of {@code busier} (client -> connections
     * open) among those that have such connections; returns how many were closed (0 or 1).
     */
    private int makeRoom(Map<Object, Integer> busier) {
        Map<Object, List<EndPoint>> candidates = new HashMap<>();
        for (Connector connector : connectors) {
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                Object client = clientOf(endPoint.getRemoteSocketAddress());
                if (busier.containsKey(client) && endPoint.isOpen() && mayClose(endPoint.getConnection())) {
                    candidates.computeIfAbsent(client, c -> new ArrayList<>()).add(endPoint);
                }
            }
        }
        List<EndPoint> chosen = candidates.entrySet().stream()
                .max(Comparator.comparingInt((Map.Entry<Object, List<EndPoint>> e) -> busier.get(e.getKey())))
                .map(Map.Entry::getValue).orElse(List.of());
        // one: a batch would let as many more of a flood in, each at the price of its TLS and HTTP work
        return chosen.stream().min(Comparator.comparingLong(EndPoint::getCreatedTimeStamp)).map(e -> {
            e.close();
            return 1;
        }).orElse(0);
    }

    /** Neither serving a request nor authenticated: still in its TLS handshake or header, or idle between requests. */
    private static boolean mayClose(Connection connection) {
        Connection http = connection instanceof SslConnection tls ? tls.getSslEndPoint().getConnection() : connection;
        if (!(http instanceof ConnectionMetaData meta)) {
            return true; // TLS handshake not done: no HTTP connection yet
        }
        return meta.getAttribute(BUSY) == null && meta.getAttribute(AUTHENTICATED) == null;
    }

    /** A request is being served on its connection: it may not be closed to make room until {@link #done}. */
    static void busy(Request request) {
        request.getConnectionMetaData().setAttribute(BUSY, Boolean.TRUE);
    }

    static void done(Request request) {
        request.getConnectionMetaData().removeAttribute(BUSY);
    }

    /** The connection carried a request with valid credentials: it is never closed to make room. */
    static void authenticated(Request request) {
        request.getConnectionMetaData().setAttribute(AUTHENTICATED, Boolean.TRUE);
    }

    private static Object clientOf(SelectableChannel channel) {
        try {
            return clientOf(channel instanceof SocketChannel s ? s.getRemoteAddress() : null);
        } catch (IOException e) {
            return "unknown"; // already closed: gone at once anyway
        }
    }

    /** The client address; an IPv6 client by its /64, the block one host usually gets. */
    static Object clientOf(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            InetAddress a = inet.getAddress();
            return a instanceof Inet6Address ? new Prefix64(Arrays.copyOf(a.getAddress(), 8)) : a;
        }
        return "unknown";
    }

    /** The first 64 bits of an IPv6 address. */
    private record Prefix64(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Prefix64 p && Arrays.equals(bytes, p.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
