package io.leakwatch.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.leakwatch.http.HttpLimits;
import io.leakwatch.http.HttpSettings;
import io.leakwatch.http.ListenAddress;
import io.leakwatch.http.WebConfig;
import io.leakwatch.metrics.Exposition;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Wires the endpoints to Javalin and binds every --web.listen-address. The perimeter is Jetty's
 * own parts, set up here: the connection limit ({@link ConnectionRoom}, on the connections Jetty
 * tracks), the idle timeout (on the network connection, so TLS handshakes too), the header size
 * limit, a small buffer pool, a bounded thread pool, the request guard ({@link RequestGuard}), the
 * work slots ({@link WorkSlots}), plain error pages ({@link PlainErrorHandler}) and a log that
 * clients cannot flood ({@link ClientLogLimit}).
 */
public final class ExporterServer implements AutoCloseable {
    /**
     * Jetty threads: a scrape, a page or a password check holds one while it works, and a slow
     * reader while its answer does not fit the socket buffers. Idle ones end after a minute.
     */
    static final int MAX_THREADS = 48;
    /** Connections the kernel completes before leakwatch accepts them (Linux caps it at net.core.somaxconn, 4096 by default since 5.4). */
    private static final int ACCEPT_QUEUE = 4096;
    /** Log lines a client can cause: one per kind a minute, with the count of the others. */
    static final long CLIENT_LOG_INTERVAL_MILLIS = 60_000;
    private static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    static {
        // Unless told, Jetty's thread pool asks the platform MBean server whether object references are
        // compressed, only to size the padding of a queue: that starts JMX and registers every platform MBean
        // (about 200 classes) for one answer. 64-byte cache lines of 4-byte references is what it finds under
        // the launchers' heap limit; above 32 GB of heap the padding is merely twice what it needs.
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, "16");
        }
    }

    private final Javalin app;
    private final List<ListenAddress> addresses;
    private final ConnectionRoom room;

    /**
     * @param extras pages of other features (for example /leaks), linked from the landing page
     * @throws IllegalArgumentException one line when the TLS material cannot be used
     */
    public ExporterServer(HttpSettings settings, WebConfig web, Exposition exposition, List<ExtraEndpoint> extras) {
        ClientLogLimit.install(CLIENT_LOG_INTERVAL_MILLIS);
        HttpLimits limits = settings.limits();
        this.addresses = settings.listenAddresses();
        LiveWebConfig live = new LiveWebConfig(web);
        SslContextFactory.Server tls = web.tls() == null ? null : JettyTls.serverContext(live);
        // a quarter of the request limit may wait for a password check; the rest stays for scrapes
        BasicAuth auth = new BasicAuth(limits.maxRequests() > 0 ? Math.max(1, limits.maxRequests() / 4) : 4);
        this.room = new ConnectionRoom(limits.maxConnections());
        WorkSlots slots = new WorkSlots(limits.maxRequests());
        ByteBufferPool buffers = smallBufferPool();
        MetricsHandler metrics = new MetricsHandler(exposition, settings, slots);
        String landing = LandingPage.html(settings.telemetryPath(), extras);
        String versionJson = VersionJson.body();
        Set<String> paths = new HashSet<>(List.of("/", "/health", "/version", settings.telemetryPath()));
        for (ExtraEndpoint e : extras) {
            if (!paths.add(e.path())) { // the settings refuse these; a new page must not shadow another
                throw new IllegalArgumentException(e.path() + " is served twice");
            }
        }
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.compressionStrategy = CompressionStrategy.NONE; // /metrics gzips itself while streaming
            config.http.generateEtags = false;
            QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 2);
            pool.setName("leakwatch-http");
            // No threads parked in reserve for the next request (Jetty keeps one per core): a scrape every few
            // seconds does not need a hand-off without a queue, and each idle thread costs memory.
            pool.setReservedThreads(0);
            config.jetty.threadPool = pool;
            for (ListenAddress address : settings.listenAddresses()) {
                config.jetty.addConnector((server, httpConfig) -> {
                    httpConfig.setSendServerVersion(false);
                    httpConfig.setSendXPoweredBy(false);
                    httpConfig.setRequestHeaderSize(limits.maxHeaderBytes());
                    ServerConnector connector = connector(server, httpConfig, tls, buffers);
                    connector.setIdleTimeout(limits.idleTimeoutMillis());
                    // Java's default backlog is 50: a burst of connections would make the kernel drop the scraper's SYN
                    // (a retry a second later); a flood is refused right after accept, which is cheap
                    connector.setAcceptQueueSize(ACCEPT_QUEUE);
                    connector.setHost(address.host());
                    connector.setPort(address.port());
                    room.cover(connector);
                    return connector;
                });
            }
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(new PlainErrorHandler(live));
                server.setStopTimeout(limits.stopTimeoutMillis());
                if (server.getHandler() == null) {
                    throw new IllegalStateException("Javalin installed no handler before modifyServer");
                }
                // a stop waits for scrapes in flight (up to the stop timeout) while refusing new ones
                server.setHandler(new GracefulHandler(new RequestGuard(server.getHandler(), live, auth, paths)));
            });
            // whatever a handler throws is one plain line too, never Javalin's page
            config.routes.exception(Exception.class, (e, ctx) -> ctx.status(500).contentType("text/plain; charset=utf-8")
                    .result("500 Internal Server Error\n"));
            // HEAD answers as GET does, without the body (Javalin alone would answer an empty text/plain)
            getAndHead(config.routes, "/", ctx -> ctx.html(landing));
            getAndHead(config.routes, "/health", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            getAndHead(config.routes, "/version", ctx -> ctx.contentType("application/json").result(versionJson));
            getAndHead(config.routes, settings.telemetryPath(), metrics);
            for (ExtraEndpoint extra : extras) {
                getAndHead(config.routes, extra.path(), ctx -> serve(ctx, extra, slots));
            }
        });
    }

    /**
     * A buffer pool that keeps little for later: Jetty's default keeps up to an eighth of the heap
     * (and as much direct memory), which a burst of connections fills and then holds for good.
     */
    private static ByteBufferPool smallBufferPool() {
        return new ArrayByteBufferPool(0, -1, -1, Integer.MAX_VALUE, 1024 * 1024, 2 * 1024 * 1024);
    }

    private static ServerConnector connector(Server server, HttpConfiguration httpConfig, SslContextFactory.Server tls,
                                             ByteBufferPool buffers) {
        if (tls == null) {
            return new ServerConnector(server, null, null, buffers, -1, -1, new HttpConnectionFactory(httpConfig));
        }
        if (httpConfig.getCustomizer(SecureRequestCustomizer.class) == null) { // one config may serve several addresses
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // scrapers connect by IP or any alias; the certificate check is theirs
            httpConfig.addCustomizer(secure);
        }
        return new ServerConnector(server, null, null, buffers, -1, -1, new SslConnectionFactory(tls, "http/1.1"),
                new HttpConnectionFactory(httpConfig));
    }

    private static void getAndHead(RoutesConfig routes, String path, Handler handler) {
        routes.get(path, handler);
        routes.head(path, handler);
    }

    /** A page is built in a slot, then sent without one: a slow reader holds no slot. */
    private static void serve(Context ctx, ExtraEndpoint extra, WorkSlots slots) throws IOException {
        boolean head = "HEAD".equals(ctx.method().name());
        WorkSlots.Slot slot = head ? WorkSlots.Slot.NONE : slots.take();
        if (slot == null) {
            slots.refuse(ctx);
            return;
        }
        ctx.status(200);
        ctx.contentType(extra.contentType());
        if (head) {
            ctx.res().flushBuffer();
            return;
        }
        StringWriter page = new StringWriter();
        try {
            extra.body().writeTo(page);
        } finally {
            slot.release();
        }
        try (Writer out = new BufferedWriter(new OutputStreamWriter(ctx.res().getOutputStream(), StandardCharsets.UTF_8))) {
            out.write(page.toString());
        }
    }

    /**
     * @throws BindFailure when an address cannot be bound (port in use, unknown host)
     */
    public void start() throws BindFailure {
        try {
            // Javalin's own connector would bind 8080: port -1 disables it, ours are added above.
            app.start(-1);
        } catch (RuntimeException e) {
            app.stop();
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause(); // Javalin says "port already in use" for every bind failure: ask the JDK
            }
            throw new BindFailure(addresses + ": " + why(cause));
        }
    }

    /**
     * Binds each address once and lets go, before anything else starts (and logs): so a wrong
     * address is the one line of a failed start, and says what is wrong with it.
     *
     * @throws BindFailure naming the address and the reason
     */
    public static void checkBindable(List<ListenAddress> addresses) throws BindFailure {
        for (ListenAddress address : addresses) {
            InetSocketAddress socketAddress;
            try {
                socketAddress = address.host() == null ? new InetSocketAddress(address.port())
                        : new InetSocketAddress(InetAddress.getByName(address.host()), address.port());
            } catch (UnknownHostException e) {
                throw new BindFailure(address + ": cannot resolve host '" + address.host() + "'");
            }
            try (ServerSocketChannel probe = ServerSocketChannel.open()) {
                probe.setOption(StandardSocketOptions.SO_REUSEADDR, true); // as Jetty binds
                probe.bind(socketAddress);
            } catch (IOException e) {
                throw new BindFailure(address + ": " + why(e));
            }
        }
    }

    /** The reason of a failed bind in words, from the JDK's exception. */
    static String why(Throwable e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof java.nio.channels.UnresolvedAddressException) {
            return "cannot resolve the host";
        }
        if (message.contains("Address already in use")) {
            return "address already in use (another process listens on that port)";
        }
        if (message.contains("Cannot assign requested address")) {
            return "cannot assign requested address (not an address of this machine)";
        }
        if (message.contains("Permission denied")) {
            return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
        }
        return e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    /** Ports actually bound, in --web.listen-address order (useful with port 0). */
    public List<Integer> boundPorts() {
        List<Integer> ports = new ArrayList<>();
        for (Connector c : app.jettyServer().server().getConnectors()) {
            if (c instanceof NetworkConnector n && n.getLocalPort() > 0) {
                ports.add(n.getLocalPort());
            }
        }
        return ports;
    }

    /** Connections open now, as Jetty tracks them (tests). */
    int openConnections() {
        int n = 0;
        for (Connector c : app.jettyServer().server().getConnectors()) {
            n += c.getConnectedEndPoints().size();
        }
        return n;
    }

    @Override
    public void close() {
        app.stop();
    }

    /** A listen address could not be bound. */
    public static final class BindFailure extends Exception {
        public BindFailure(String message) {
            super(message, null, false, false);
        }
    }
}
