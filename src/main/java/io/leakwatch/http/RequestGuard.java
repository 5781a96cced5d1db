package io.leakwatch.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.util.concurrent.Semaphore;

/**
 * Runs in front of every route, before any application code: only GET and HEAD (405 with
 * {@code Allow}), basic authentication when configured (401), and at most {@code maxScrapes}
 * scrapes of the metrics path at once (503 beyond, as node_exporter's --web.max-requests).
 * Answers are short plain text: nothing about the server, its version or its code.
 */
final class RequestGuard extends Handler.Wrapper {
    private final BasicAuth auth;
    private final String metricsPath;
    private final Semaphore scrapes; // null: unlimited
    private final int maxScrapes;

    RequestGuard(Handler inner, BasicAuth auth, String metricsPath, int maxScrapes) {
        super(inner);
        this.auth = auth;
        this.metricsPath = metricsPath;
        this.maxScrapes = maxScrapes;
        this.scrapes = maxScrapes > 0 ? new Semaphore(maxScrapes) : null;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            return answer(response, callback, 405, "Method Not Allowed: only GET and HEAD are served");
        }
        if (auth.enabled() && !auth.allows(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"leakwatch\", charset=\"UTF-8\"");
            return answer(response, callback, 401, "Unauthorized");
        }
        if (scrapes == null || !metricsPath.equals(Request.getPathInContext(request))) {
            return super.handle(request, response, callback);
        }
        if (!scrapes.tryAcquire()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            return answer(response, callback, 503,
                    "Limit of concurrent scrapes reached (" + maxScrapes + "), try again later (--web.max-requests)");
        }
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean(true);
        Runnable release = () -> {
            if (held.compareAndSet(true, false)) {
                scrapes.release(); // exactly once, however the request ends
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

    private static boolean answer(Response response, Callback callback, int status, String text) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        Content.Sink.write(response, true, text + "\n", callback);
        return true;
    }
}
