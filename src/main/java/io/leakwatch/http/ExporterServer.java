package io.leakwatch.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.leakwatch.common.Version;
import io.leakwatch.http.HttpLimits;
import io.leakwatch.http.HttpSettings;
import io.leakwatch.http.ListenAddress;
import io.leakwatch.http.WebConfig;
import io.leakwatch.metrics.Exposition;
import io.leakwatch.metrics.ExtraEndpoint;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Wires the endpoints to Javalin and binds every --web.listen-address. */
public final class ExporterServer implements AutoCloseable {
    private static final int MAX_THREADS = 16;
    private static final int ACCEPT_QUEUE = 1024;
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

    /**
     * @param extras pages of other features (for example /leaks), linked from the landing page
     * @throws IllegalArgumentException one line when the TLS material cannot be used
     */
    public ExporterServer(HttpSettings settings, WebConfig web, Exposition exposition, List<ExtraEndpoint> extras) {
        HttpLimits limits = settings.limits();
        this.addresses = settings.listenAddresses();
        SslContextFactory.Server tls = web.tls() == null ? null : JettyTls.serverContext(web.tls());
        // a quarter of the request limit may wait for a password check; the rest stays for scrapes
        BasicAuth auth = new BasicAuth(web.users(), limits.maxRequests() > 0 ? Math.max(1, limits.maxRequests() / 4) : 4);
        ClientErrorLog clientErrors = new ClientErrorLog(ClientErrorLog.DEFAULT_INTERVAL_MILLIS);
        ConnectionGate gate = new ConnectionGate(limits.maxConnections(), limits.maxConnectionsPerClient(),
                limits.handshakeTimeoutMillis(), limits.headerTimeoutMillis(), clientErrors);
        ByteBufferPool buffers = HardenedConnectors.smallBufferPool();
        MetricsHandler metrics = new MetricsHandler(exposition, settings);
        String landing = LandingPage.html(settings.telemetryPath(), extras);
        String versionJson = "{\"version\":\"" + Version.VERSION + "\",\"java\":\""
                + System.getProperty("java.version", "") + "\"}";
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
                    ServerConnector connector = HardenedConnectors.create(server, httpConfig, tls, buffers);
                    connector.setIdleTimeout(limits.idleTimeoutMillis());
                    // Java's default backlog is 50: a burst of connections would make the kernel drop the scraper's SYN
                    // (a retry a second later); the gate closes what it does not want right after accept.
                    connector.setAcceptQueueSize(ACCEPT_QUEUE);
                    connector.addBean(gate, false); // the server manages it; every connector reports to it
                    connector.setHost(address.host());
                    connector.setPort(address.port());
                    return connector;
                });
            }
            config.jetty.modifyServer(server -> {
                server.addBean(gate, true);
                Set<String> limited = new HashSet<>();
                limited.add(settings.telemetryPath());
                extras.forEach(e -> limited.add(e.path()));
                HardenedConnectors.guard(server, new RequestGuard(server.getHandler(), auth, Set.of("/", "/health", "/version"),
                        limited, limits.maxRequests(), gate), limits, clientErrors);
            });
            // HEAD answers as GET does, without the body (Javalin alone would answer an empty text/plain)
            getAndHead(config.routes, "/", ctx -> ctx.html(landing));
            getAndHead(config.routes, "/health", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            getAndHead(config.routes, "/version", ctx -> ctx.contentType("application/json").result(versionJson));
            getAndHead(config.routes, settings.telemetryPath(), metrics);
            for (ExtraEndpoint extra : extras) {
                getAndHead(config.routes, extra.path(), ctx -> serve(ctx, extra));
            }
        });
    }

    private static void getAndHead(RoutesConfig routes, String path, Handler handler) {
        routes.get(path, handler);
        routes.head(path, handler);
    }

    private static void serve(Context ctx, ExtraEndpoint extra) throws IOException {
        ctx.status(200);
        ctx.contentType(extra.contentType());
        try (Writer out = new BufferedWriter(new OutputStreamWriter(ctx.res().getOutputStream(), StandardCharsets.UTF_8))) {
            extra.body().writeTo(out);
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
