package io.leakwatch.http;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.IO;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection limit, on the connections Jetty itself tracks: at most {@code max} open at once.
 * Where Jetty's {@code NetworkConnectionLimit} stops accepting at the limit (so a flood keeps the
 * kernel's accept queue full and the scraper's connection waits behind it), this one keeps
 * accepting and makes room by closing the connections that matter least: those idle the longest
 * that are not serving a request and, with authentication on, have never authenticated. So a
 * flood closes its own connections, oldest first, while a scraper's connection, busy from its
 * first byte to its last, is never chosen; and connections that never authenticated never push
 * out ones that have. Nothing is keyed on a client's address. When nothing may be closed, the new
 * connection is closed instead.
 *
 * <p>Making room scans every connection, so it closes a batch at once (a 32nd of the limit): a
 * flood pays one scan per batch. Thread-safe.
 */
final class ConnectionRoom extends AbstractLifeCycle implements SelectorManager.AcceptListener {
    private static final Logger CLIENTS = LoggerFactory.getLogger(ClientLogLimit.CLIENTS_LOGGER);
    private static final String BUSY = "io.leakwatch.busy";
    private static final String AUTHENTICATED = "io.leakwatch.authenticated";

    private final int max;
    private final List<Connector> connectors = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();

    ConnectionRoom(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the connection limit must be positive");
        }
        this.max = max;
    }

    int max() {
        return max;
    }

    int open() {
        return open.get();
    }

    /** Called for each connector this room covers, before the server starts. */
    void cover(Connector connector) {
        connectors.add(connector);
        connector.addBean(this, false);
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        if (open.incrementAndGet() <= max) {
            return;
        }
        int closed = makeRoom();
        if (closed == 0) {
            IO.close(channel); // Jetty reports onAcceptFailed, which gives the count back
            CLIENTS.warn("connection refused: all {} connections in use, none idle without authentication", max);
        } else {
            CLIENTS.info("connections closed to make room: {} idle, never authenticated (limit {})", closed, max);
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        open.decrementAndGet();
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        open.decrementAndGet();
    }

    /** Closes the most idle connections that may go; returns how many. */
    private int makeRoom() {
        int batch = Math.max(1, max / 32);
        // the batch most idle, kept in a heap whose head is the least idle of them
        PriorityQueue<Candidate> chosen = new PriorityQueue<>(batch + 1, Comparator.comparingLong(Candidate::idleMillis));
        for (Connector connector : connectors) {
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                if (!endPoint.isOpen() || !mayClose(endPoint.getConnection())) {
                    continue;
                }
                chosen.add(new Candidate(endPoint, endPoint instanceof IdleTimeout idle ? idle.getIdleFor() : 0));
                if (chosen.size() > batch) {
                    chosen.poll();
                }
            }
        }
        int n = chosen.size();
        for (Candidate c : chosen) {
            c.endPoint.close();
        }
        return n;
    }

    private record Candidate(EndPoint endPoint, long idleMillis) {
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

    /** The connection carried a request with valid credentials: connections that never did go first. */
    static void authenticated(Request request) {
        request.getConnectionMetaData().setAttribute(AUTHENTICATED, Boolean.TRUE);
    }
}
