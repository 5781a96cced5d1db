package io.leakwatch.http;

import io.leakwatch.config.HttpLimits;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Jetty wiring for TLS connectors, the request guard, plain error pages and graceful stop. */
final class HardenedConnectors {
    private HardenedConnectors() {
    }

    static ServerConnector create(Server server, HttpConfiguration httpConfig, SslContextFactory.Server tls) {
        if (tls == null) {
            return new ServerConnector(server, new HttpConnectionFactory(httpConfig));
        }
        if (httpConfig.getCustomizer(SecureRequestCustomizer.class) == null) { // one config may serve several addresses
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // scrapers connect by IP or any alias; the certificate check is theirs
            httpConfig.addCustomizer(secure);
        }
        return new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(httpConfig));
    }

    /**
     * Puts the guard in front of whatever Javalin installed, inside a GracefulHandler so a stop
     * waits for scrapes in flight (up to the stop timeout) while refusing new ones.
     */
    static void guard(Server server, BasicAuth auth, String metricsPath, HttpLimits limits) {
        server.setErrorHandler(new PlainErrorHandler());
        server.setStopTimeout(limits.stopTimeoutMillis());
        Handler app = server.getHandler();
        if (app == null) {
            throw new IllegalStateException("Javalin installed no handler before modifyServer");
        }
        server.setHandler(new GracefulHandler(new RequestGuard(app, auth, metricsPath, limits.maxScrapes())));
    }
}
