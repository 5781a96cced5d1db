package io.leakwatch.leak;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A backtest's samples straight from a Prometheus server: the process series its selector picks over a time range,
 * queried with {@code /api/v1/query_range} at the sample interval in chunks of at most {@link #MAX_STEPS} steps (below
 * Prometheus' 11,000 points per series), each answer read as a stream with a size cap. Credentials in the URL
 * ({@code http://user:password@host:9090}) are sent as basic authentication, never in the query, and only to that
 * server: a redirect to another scheme, host or port is followed without them (as curl does), and one from https to
 * http is not followed at all.
 */
final class PrometheusServer implements BacktestSource {
    static final int MAX_STEPS = 10_000;
    /** Largest answer read: a chunk of one slice is far smaller; anything larger is not a Prometheus answering us. */
    static final long MAX_ANSWER_BYTES = 256L << 20;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration QUERY_TIMEOUT = Duration.ofMinutes(2);
    /** Redirects followed for one request (the JDK's own limit for its redirect policy). */
    static final int MAX_REDIRECTS = 5;

    private final URI base;
    private final String authorization;
    private final String selector;
    private final double start;
    private final double end;
    private final double step;
    private final HttpClient http;

    /**
     * @param url      the server, e.g. http://localhost:9090 (a path prefix is kept)
     * @param selector label matchers in braces, added to each metric ("{}" or "" for all)
     * @param step     the query step: the sample interval
     */
    PrometheusServer(URI url, String selector, double start, double end, double step) {
        String userInfo = url.getRawUserInfo();
        this.authorization = userInfo == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                java.net.URLDecoder.decode(userInfo, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
        this.base = URI.create(url.getScheme() + "://" + url.getRawAuthority().replaceFirst("^.*@", "") + path);
        this.selector = selector.isBlank() ? "" : selector.strip();
        this.step = step;
        this.start = Math.ceil(start / step) * step;
        this.end = end;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public Catalog catalog() throws IOException {
        PrometheusSeries.CatalogBuilder builder = new PrometheusSeries.CatalogBuilder();
        get("/api/v1/series", params("match[]", PrometheusSeries.PRIVATE_BYTES + selector, "start", number(start),
                "end", number(end)), builder);
        // who each process was (owner, command line), and from when: at a coarse step, for the order of reused pids
        double infoStep = Math.max(step, Math.ceil((end - start) / MAX_STEPS / step) * step);
        rangeQuery(PrometheusSeries.INFO + selector, start, end, infoStep, builder);
        for (String metric : PrometheusSeries.MEMORY) {
            String range = Math.max(60, (long) Math.ceil(end - start)) + "s";
            get("/api/v1/query", params("query", "max by (instance) (max_over_time(" + metric + "[" + range + "]))",
                    "time", number(end)), new Named(builder, metric));
        }
        BacktestSource.Catalog c = builder.build(step);
        return new BacktestSource.Catalog(c.processes(), c.identities(), start, end, step, c.hostMemory());
    }

    @Override
    public void samples(Catalog catalog, double from, double to, Sink sink) throws IOException {
        PrometheusSeries.SampleReader reader = new PrometheusSeries.SampleReader(catalog, from, to, sink);
        double first = Math.ceil((from + step / 2) / step) * step;
        for (double chunk = first; chunk <= to; chunk += MAX_STEPS * step) {
            double chunkEnd = Math.min(to, chunk + (MAX_STEPS - 1) * step);
            for (String metric : new String[]{PrometheusSeries.PRIVATE_BYTES, PrometheusSeries.HANDLES, PrometheusSeries.START_TIME}) {
                rangeQuery(metric + selector, chunk, chunkEnd, step, reader);
            }
        }
    }

    private void rangeQuery(String query, double from, double to, double queryStep, PrometheusJson.Handler handler)
            throws IOException {
        get("/api/v1/query_range", params("query", query, "start", number(from), "end", number(to), "step", number(queryStep)),
                handler);
    }

    /** An instant query's series lack __name__ after an aggregation: this puts the metric's name back. */
    private record Named(PrometheusJson.Handler handler, String metric) implements PrometheusJson.Handler {
        @Override
        public boolean series(Map<String, String> labels) throws IOException {
            Map<String, String> named = new LinkedHashMap<>(labels);
            named.put("__name__", metric);
            return handler.series(named);
        }

        @Override
        public void value(double timeSeconds, double value) throws IOException {
            handler.value(timeSeconds, value);
        }
    }

    private void get(String path, String query, PrometheusJson.Handler handler) throws IOException {
        URI uri = URI.create(base + path + "?" + query);
        HttpResponse<InputStream> response = send(uri);
        for (int hops = 0; isRedirect(response.statusCode()) && hops < MAX_REDIRECTS; hops++) {
            URI next = location(uri, response);
            response.body().close();
            if (next == null || "https".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                break; // nowhere to go, or from https to http: answered with the redirect's status below
            }
            uri = next;
            response = send(uri);
        }
        try (InputStream body = new Capped(response.body(), MAX_ANSWER_BYTES)) {
            if (response.statusCode() != 200 && response.statusCode() != 400 && response.statusCode() != 422) {
                throw new PrometheusJson.BadInput(where() + path + " answered HTTP " + response.statusCode()
                        + (response.statusCode() == 401 || response.statusCode() == 403 ? " (credentials: put them in the URL)" : ""));
            }
            PrometheusJson.read(body, where() + path, handler);
        }
    }

    /** One request; the credentials go only to the server they were given for. */
    private HttpResponse<InputStream> send(URI uri) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(QUERY_TIMEOUT).header("Accept", "application/json")
                .header("User-Agent", "leakwatch-backtest").GET();
        if (authorization != null && sameServer(uri, base)) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new PrometheusJson.BadInput(where() + ": no answer within " + QUERY_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrometheusJson.BadInput(where() + ": interrupted");
        } catch (java.net.ConnectException e) {
            throw new PrometheusJson.BadInput(where() + ": cannot connect (refused, or nothing listens there)");
        } catch (IOException | IllegalArgumentException e) {
            throw new PrometheusJson.BadInput(where() + ": cannot connect (" + (e.getMessage() == null ? "no answer" : e.getMessage())
                    + ")");
        }
    }

    private static URI location(URI from, HttpResponse<?> response) {
        try {
            return response.headers().firstValue("Location").map(from::resolve).orElse(null);
        } catch (IllegalArgumentException e) {
            return null; // not a URI: the redirect's status is reported
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static boolean sameServer(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private String where() {
        return "--prometheus.url " + base;
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    /** Stops reading past a size: an answer this large is refused, not buffered. */
    private static final class Capped extends FilterInputStream {
        private final long cap;
        private long read;

        Capped(InputStream in, long cap) {
            super(in);
            this.cap = cap;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > cap) {
                throw new PrometheusJson.BadInput("an answer of more than " + (cap >> 20) + " MiB: narrow the selector or the "
                        + "time range");
            }
        }
    }
}
