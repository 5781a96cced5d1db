package io.leakwatch.http;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the time a client may take to send a request. The idle timeout alone does not stop a
 * slowloris client that trickles one header byte at a time; this closes a connection that kept
 * sending bytes for two whole check periods without completing a request. Idle connections are
 * left to the idle timeout; a slow scrape response is not affected (the client sends nothing).
 */
final class SlowClientGuard extends AbstractLifeCycle implements Connection.Listener {
    private final long periodMillis;
    private final Map<Connection, Progress> watched = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    private static final class Progress {
        long bytesIn;
        long messagesIn;
        int slowPeriods;
    }

    SlowClientGuard(long periodMillis) {
        this.periodMillis = periodMillis;
    }

    @Override
    protected void doStart() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "leakwatch-slow-client-guard");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        timer.shutdownNow();
        watched.clear();
    }

    @Override
    public void onOpened(Connection connection) {
        // Only the HTTP layer counts requests; TLS connections have one below it with encrypted bytes.
        if (connection.getClass().getSimpleName().equals("HttpConnection")) {
            watched.put(connection, new Progress());
        }
    }

    @Override
    public void onClosed(Connection connection) {
        watched.remove(connection);
    }

    private void check() {
        watched.forEach((connection, p) -> {
            long bytes = connection.getBytesIn();
            long messages = connection.getMessagesIn();
            boolean trickling = bytes > p.bytesIn && messages == p.messagesIn;
            p.slowPeriods = trickling ? p.slowPeriods + 1 : 0;
            p.bytesIn = bytes;
            p.messagesIn = messages;
            if (p.slowPeriods >= 2) {
                watched.remove(connection);
                connection.getEndPoint().close();
            }
        });
    }
}
