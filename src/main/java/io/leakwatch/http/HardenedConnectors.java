package io.leakwatch.http;

import io.leakwatch.http.HttpLimits;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteBufferPool;
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

    /**
     * A buffer pool that keeps little for later: Jetty's default keeps up to an eighth of the heap
     * (and as much direct memory), which a burst of connections fills and then holds for good.
     */
    static ByteBufferPool smallBufferPool() {
        return new ArrayByteBufferPool(0, -1, -1, Integer.MAX_VALUE, 1024 * 1024, 2 * 1024 * 1024);
    }

    static ServerConnector create(Server server, HttpConfiguration httpConfig, SslContextFactory.Server tls, ByteBufferPool buffers) {
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

    /**
     * Puts the guard in front of whatever Javalin installed, inside a GracefulHandler so a stop
     * waits for scrapes in flight (up to the stop timeout) while refusing new ones.
     */
    static void guard(Server server, RequestGuard guard, HttpLimits limits, ClientErrorLog clientErrors) {
        server.setErrorHandler(new PlainErrorHandler(clientErrors));
        server.setStopTimeout(limits.stopTimeoutMillis());
        if (guard.getHandler() == null) {
            throw new IllegalStateException("Javalin installed no handler before modifyServer");
        }
        server.setHandler(new GracefulHandler(guard));
    }
}
