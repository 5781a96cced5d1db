package io.leakwatch.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.util.JavalinBindException;
import io.leakwatch.common.Version;
import io.leakwatch.config.HttpLimits;
import io.leakwatch.config.HttpSettings;
import io.leakwatch.config.ListenAddress;
import io.leakwatch.config.WebConfig;
import io.leakwatch.metrics.Exposition;
import io.leakwatch.metrics.ExtraEndpoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Wires the endpoints to Javalin and binds every --web.listen-address. */
public final class ExporterServer implements AutoCloseable {
    private static final int MAX_THREADS = 16;

    private final Javalin app;

    /**
     * @param extras pages of other features (for example /leaks), linked from the landing page
     * @throws IllegalArgumentException one line when the TLS material cannot be used
     */
    public ExporterServer(HttpSettings settings, WebConfig web, Exposition exposition, List<ExtraEndpoint> extras) {
        HttpLimits limits = settings.limits();
        SslContextFactory.Server tls = web.tls() == null ? null : JettyTls.serverContext(web.tls());
        BasicAuth auth = new BasicAuth(web.users());
        SlowClientGuard slowClients = new SlowClientGuard(limits.slowRequestCheckMillis());
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
            config.jetty.threadPool = pool;
            for (ListenAddress address : settings.listenAddresses()) {
                config.jetty.addConnector((server, httpConfig) -> {
                    httpConfig.setSendServerVersion(false);
                    httpConfig.setSendXPoweredBy(false);
                    httpConfig.setRequestHeaderSize(limits.maxHeaderBytes());
                    ServerConnector connector = HardenedConnectors.create(server, httpConfig, tls);
                    connector.setIdleTimeout(limits.idleTimeoutMillis());
                    connector.addBean(slowClients);
                    connector.setHost(address.host());
                    connector.setPort(address.port());
                    return connector;
                });
            }
            config.jetty.modifyServer(server -> HardenedConnectors.guard(server, auth, settings.telemetryPath(), limits));
            config.routes.get("/", ctx -> ctx.html(landing));
            config.routes.get("/health", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            config.routes.get("/version", ctx -> ctx.contentType("application/json").result(versionJson));
            config.routes.get(settings.telemetryPath(), metrics);
            for (ExtraEndpoint extra : extras) {
                config.routes.get(extra.path(), ctx -> serve(ctx, extra));
            }
        });
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
