package io.leakwatch.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.util.JavalinBindException;
import io.leakwatch.Version;
import io.leakwatch.config.ListenAddress;
import io.leakwatch.config.Settings;
import io.leakwatch.metrics.Exposition;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.util.ArrayList;
import java.util.List;

/** Wires the endpoints to Javalin and binds every --web.listen-address. */
public final class ExporterServer implements AutoCloseable {
    private static final int MAX_THREADS = 16;
    private static final int ACCEPT_QUEUE = 1024;

    private final Javalin app;

    public ExporterServer(Settings settings, Exposition exposition) {
        this(settings, exposition, List.of());
    }

    public ExporterServer(Settings settings, Exposition exposition, List<ExtraEndpoints> extras) {
        this(settings, exposition, extras, HttpLimits.from(settings));
    }

    /** @throws IllegalArgumentException one line when --web.config.file cannot be used */
    public ExporterServer(Settings settings, Exposition exposition, List<ExtraEndpoints> extras, HttpLimits limits) {
        WebConfig web = WebConfig.fromSettings(settings);
        org.eclipse.jetty.util.ssl.SslContextFactory.Server tls = web.tls() == null ? null : PemTls.serverContext(web.tls());
        // a quarter of the request limit may wait for a password check; the rest stays for scrapes
        BasicAuth auth = new BasicAuth(web.users(), limits.maxScrapes() > 0 ? Math.max(1, limits.maxScrapes() / 4) : 4);
        ClientErrorLog clientErrors = new ClientErrorLog(ClientErrorLog.DEFAULT_INTERVAL_MILLIS);
        long headerMillis = 2 * limits.slowRequestCheckMillis();
        ConnectionGate gate = new ConnectionGate(ConnectionGate.DEFAULT_MAX_CONNECTIONS, ConnectionGate.DEFAULT_MAX_PER_CLIENT,
                headerMillis / 2, headerMillis, clientErrors);
        org.eclipse.jetty.io.ByteBufferPool buffers = HardenedConnectors.smallBufferPool();
        MetricsHandler metrics = new MetricsHandler(exposition, settings);
        java.util.Map<String, String> extraLinks = new java.util.LinkedHashMap<>();
        extras.forEach(e -> extraLinks.putAll(e.links()));
        String landing = LandingPage.html(settings.telemetryPath(), extraLinks);
        String versionJson = "{\"version\":\"" + Version.VERSION + "\",\"java\":\""
                + System.getProperty("java.version", "") + "\"}";
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.compressionStrategy = CompressionStrategy.NONE; // /metrics gzips itself while streaming
            config.http.generateEtags = false;
            QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 2);
            pool.setName("leakwatch-http");
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
                java.util.Set<String> limited = new java.util.HashSet<>(extraLinks.keySet());
                limited.add(settings.telemetryPath());
                HardenedConnectors.guard(server, new RequestGuard(server.getHandler(), auth, java.util.Set.of("/", "/health", "/version"),
                        limited, limits.maxScrapes(), gate), limits, clientErrors);
            });
            config.routes.get("/", ctx -> ctx.html(landing));
            config.routes.get("/health", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            config.routes.get("/version", ctx -> ctx.contentType("application/json").result(versionJson));
            config.routes.get(settings.telemetryPath(), metrics);
            extras.forEach(e -> e.register(config.routes));
        });
    }

    /**
     * @throws BindFailure when an address cannot be bound (port in use, unknown host)
     */
    public void start() throws BindFailure {
        try {
            // Javalin's own connector would bind 8080: port -1 disables it, ours are added above.
            app.start(-1);
        } catch (JavalinBindException e) {
            app.stop();
            throw new BindFailure(e.getMessage());
        } catch (RuntimeException e) {
            app.stop();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new BindFailure(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
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
