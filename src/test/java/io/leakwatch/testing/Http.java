package io.leakwatch.testing;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Small loopback HTTP client for tests: plain, TLS, basic auth. Failures to connect are IOExceptions for the caller to expect. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    public static HttpResponse<byte[]> get(int port, String pathAndQuery, String... headers) {
        try {
            return send(CLIENT, "http://127.0.0.1:" + port + pathAndQuery, HttpResponse.BodyHandlers.ofByteArray(), headers);
        } catch (IOException e) {
            throw new AssertionError("GET " + pathAndQuery + " failed: " + e, e);
        }
    }

    /** GET {@code url} with the shared client; an IOException while nothing answers (a caller waiting for a start catches it). */
    public static HttpResponse<String> get(String url, String... headers) throws IOException {
        return get(CLIENT, url, headers);
    }

    /** GET {@code url} with a client of {@link #client}; headers as name, value pairs. */
    public static HttpResponse<String> get(HttpClient client, String url, String... headers) throws IOException {
        return send(client, url, HttpResponse.BodyHandlers.ofString(), headers);
    }

    private static <T> HttpResponse<T> send(HttpClient client, String url, HttpResponse.BodyHandler<T> body, String... headers)
            throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return client.send(b.build(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A client for https:// trusting what {@code tls} trusts; a new one starts without pooled connections. */
    public static HttpClient client(SSLContext tls) {
        return client(tls, null);
    }

    /** The same, offering only the protocols and cipher suites {@code offered} names. */
    public static HttpClient client(SSLContext tls, SSLParameters offered) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        if (offered != null) {
            b.sslParameters(offered);
        }
        return b.build();
    }

    /** The value of an Authorization header for basic authentication. */
    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
