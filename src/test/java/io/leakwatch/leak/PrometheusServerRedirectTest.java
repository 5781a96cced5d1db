package io.leakwatch.leak;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Credentials given in --prometheus.url go to that server only: a redirect elsewhere (a hostile or misconfigured
 * Prometheus, a proxy) must not carry the Authorization header to another host or port.
 */
class PrometheusServerRedirectTest {
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final List<String> seen = new CopyOnWriteArrayList<>(); // "port auth"

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    /** Answers every request with an empty answer, or redirects it to {@code target} (same path and query). */
    private int serve(String target) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        int port = server.getAddress().getPort();
        server.createContext("/", exchange -> {
            seen.add(port + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            if (target != null) {
                exchange.getResponseHeaders().add("Location", target + exchange.getRequestURI());
                exchange.sendResponseHeaders(302, -1);
            } else {
                byte[] body = "{\"status\":\"success\",\"data\":[]}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        servers.add(server);
        return port;
    }

    private void catalog(int port, String prefix) throws IOException {
        URI url = URI.create("http://alice:s3cret@127.0.0.1:" + port + prefix);
        new PrometheusServer(url, "", 1_000_000, 1_003_600, 60).catalog();
    }

    @Test
    void aRedirectToAnotherServerIsFollowedWithoutTheCredentials() throws Exception {
        int other = serve(null);
        int first = serve("http://127.0.0.1:" + other);
        catalog(first, "");
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        assertTrue(seen.contains(first + " " + auth), seen.toString());
        assertTrue(seen.stream().anyMatch(s -> s.startsWith(other + " ")), "the redirect was followed: " + seen);
        assertFalse(seen.stream().anyMatch(s -> s.startsWith(other + " ") && !s.equals(other + " null")),
                "credentials sent to another server: " + seen);
    }

    @Test
    void aRedirectOnTheSameServerKeepsTheCredentials() throws Exception {
        int port = serve(null); // answers /prefix/... directly; the redirect below comes from a path on the same server
        HttpServer server = servers.get(0);
        server.createContext("/old", exchange -> {
            seen.add("old " + exchange.getRequestHeaders().getFirst("Authorization"));
            String rest = exchange.getRequestURI().toString().substring("/old".length());
            exchange.getResponseHeaders().add("Location", "/new" + rest);
            exchange.sendResponseHeaders(308, -1);
            exchange.close();
        });
        catalog(port, "/old");
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        assertTrue(seen.contains("old " + auth), seen.toString());
        assertEquals(seen.stream().filter(s -> s.startsWith("old ")).count(),
                seen.stream().filter(s -> s.equals(port + " " + auth)).count(), seen.toString());
    }
}
