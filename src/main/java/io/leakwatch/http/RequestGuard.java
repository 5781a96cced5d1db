package io.leakwatch.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.util.Map;
import java.util.Set;

/**
 * Runs in front of every route, before any application code, with the web config of the moment
 * (re-read when its files change):
 * <ol>
 * <li>the security headers on every answer: {@code X-Content-Type-Options: nosniff} and those of
 * {@code http_server_config.headers};</li>
 * <li>only GET and HEAD (405 with {@code Allow});</li>
 * <li>basic authentication when configured (401), through {@link BasicAuth};</li>
 * <li>{@code rate_limit} (429);</li>
 * <li>only the exact paths leakwatch serves, as the client wrote them (404 for anything else, so
 * {@code /metrics/}, {@code //metrics} or {@code /a/../metrics} never reach a framework page).</li>
 * </ol>
 * While a request is served its connection is marked busy, and a connection that authenticated is
 * marked so, for {@link ConnectionRoom}. Answers are short plain text.
 */
final class RequestGuard extends Handler.Wrapper {
    private final LiveWebConfig web;
    private final BasicAuth auth;
    private final Set<String> paths;

    RequestGuard(Handler inner, LiveWebConfig web, BasicAuth auth, Set<String> paths) {
        super(inner);
        this.web = web;
        this.auth = auth;
        this.paths = Set.copyOf(paths);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        WebConfig config = web.current();
        securityHeaders(response, config);
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            return answer(response, callback, 405, "Method Not Allowed: only GET and HEAD are served");
        }
        if (!config.users().isEmpty()) {
            String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            switch (auth.check(authorization, config)) {
                case ALLOWED -> ConnectionRoom.authenticated(request);
                case DENIED -> {
                    if (authorization != null) {
                        response.getHeaders().put(HttpHeader.CONNECTION, "close"); // the sender reconnects; nobody else pays
                    }
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"leakwatch\", charset=\"UTF-8\"");
                    return answer(response, callback, 401, "Unauthorized");
                }
                case BUSY -> {
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                    return answer(response, callback, 503, "Too many password checks at once, try again later");
                }
            }
        }
        if (!web.rateLimit().tryAcquire()) {
            return answer(response, callback, 429, "Too Many Requests (rate_limit of --web.config.file)");
        }
        String path = Request.getPathInContext(request);
        if (!paths.contains(path) || !path.equals(request.getHttpURI().getPath())) {
            return answer(response, callback, 404, "Not Found");
        }
        ConnectionRoom.busy(request);
        Callback done = new Callback() { // unmarked before the next pipelined request can start
            @Override
            public void succeeded() {
                ConnectionRoom.done(request);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                ConnectionRoom.done(request);
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
        boolean handled;
        try {
            handled = super.handle(request, response, done);
        } catch (Throwable t) {
            ConnectionRoom.done(request);
            throw t;
        }
        if (!handled) {
            ConnectionRoom.done(request);
        }
        return handled;
    }

    /** nosniff always, then the configured headers (which may set nosniff again, as exporter-toolkit allows). */
    static void securityHeaders(org.eclipse.jetty.http.HttpFields.Mutable headers, WebConfig config) {
        headers.put("X-Content-Type-Options", "nosniff");
        for (Map.Entry<String, String> h : config.http().headers().entrySet()) {
            headers.put(h.getKey(), h.getValue());
        }
    }

    private static void securityHeaders(Response response, WebConfig config) {
        securityHeaders(response.getHeaders(), config);
    }

    static boolean answer(Response response, Callback callback, int status, String text) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        Content.Sink.write(response, true, text + "\n", callback);
        return true;
    }
}
