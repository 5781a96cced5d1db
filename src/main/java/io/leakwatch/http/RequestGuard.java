package io.leakwatch.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs in front of every route, before any application code:
 * <ol>
 * <li>only GET and HEAD (405 with {@code Allow});</li>
 * <li>basic authentication when configured (401), through {@link BasicAuth}, whose slow checks
 * are limited too (503 when too many wait);</li>
 * <li>only the exact paths leakwatch serves (404 for anything else, so {@code /metrics/} or
 * {@code //metrics} never reaches a handler under another name);</li>
 * <li>at most {@code maxRequests} requests at once to the endpoints that do work (the metrics
 * path and the extra pages such as /leaks), 503 beyond, as node_exporter's --web.max-requests.</li>
 * </ol>
 * A request that passes authentication marks its connection as granted for the {@link ConnectionGate}.
 * Answers are short plain text: nothing about the server, its version or its code.
 */
final class RequestGuard extends Handler.Wrapper {
    private final BasicAuth auth;
    private final Set<String> cheapPaths;   // constant answers: never limited
    private final Set<String> limitedPaths; // answers that cost work: limited
    private final Semaphore requests;       // null: unlimited
    private final int maxRequests;
    private final ConnectionGate gate;

    RequestGuard(Handler inner, BasicAuth auth, Set<String> cheapPaths, Set<String> limitedPaths, int maxRequests,
                 ConnectionGate gate) {
        super(inner);
        this.auth = auth;
        this.cheapPaths = Set.copyOf(cheapPaths);
        this.limitedPaths = Set.copyOf(limitedPaths);
        this.maxRequests = maxRequests;
        this.requests = maxRequests > 0 ? new Semaphore(maxRequests) : null;
        this.gate = gate;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            return answer(response, callback, 405, "Method Not Allowed: only GET and HEAD are served");
        }
        if (auth.enabled()) {
            switch (auth.check(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                case ALLOWED -> { }
                case DENIED -> {
                    refused(request, response);
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"leakwatch\", charset=\"UTF-8\"");
                    return answer(response, callback, 401, "Unauthorized");
                }
                case BUSY -> {
                    refused(request, response);
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                    return answer(response, callback, 503, "Too many password checks at once, try again later");
                }
            }
        }
        gate.granted(request.getConnectionMetaData().getConnection());
        String path = Request.getPathInContext(request);
        if (cheapPaths.contains(path)) {
            return super.handle(request, response, callback);
        }
        if (!limitedPaths.contains(path)) {
            return answer(response, callback, 404, "Not Found");
        }
        if (requests == null) {
            return super.handle(request, response, callback);
        }
        if (!requests.tryAcquire()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            return answer(response, callback, 503,
                    "Limit of concurrent requests reached (" + maxRequests + "), try again later (--web.max-requests)");
        }
        AtomicBoolean held = new AtomicBoolean(true);
        Runnable release = () -> {
            if (held.compareAndSet(true, false)) {
                requests.release(); // exactly once, however the request ends
            }
        };
        Callback releasing = Callback.from(callback.getInvocationType(), () -> {
            release.run();
            callback.succeeded();
        }, failure -> {
            release.run();
            callback.failed(failure);
        });
        boolean handled;
        try {
            handled = super.handle(request, response, releasing);
        } catch (Throwable t) {
            release.run();
            throw t;
        }
        if (!handled) {
            release.run();
        }
        return handled;
    }

    /**
     * A request without valid credentials: its connection closes after the answer, and the client
     * waits a second before the next connection is accepted. A request without any Authorization
     * header is a client learning that auth is on (a browser's first try): it is not held against it.
     */
    private void refused(Request request, Response response) {
        if (request.getHeaders().get(HttpHeader.AUTHORIZATION) != null) {
            gate.penalize(request.getConnectionMetaData().getConnection());
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    private static boolean answer(Response response, Callback callback, int status, String text) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        Content.Sink.write(response, true, text + "\n", callback);
        return true;
    }
}
