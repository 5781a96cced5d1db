package io.leakwatch.http;

import io.leakwatch.Exporter;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.RawHttp;
import io.leakwatch.testing.TestCerts;
import io.leakwatch.testing.TestSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** --web.config.file end to end: certificates made with BouncyCastle, real TLS and basic auth on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebConfigTest {
    /** A $2y$ hash made elsewhere (the example of PHP's password_verify manual page), password "rasmuslerdorf". */
    static final String FOREIGN_2Y_HASH = "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq";

    @TempDir
    static Path tmp;
    static TestCerts certs;
    static ProcFixture proc;

    @BeforeAll
    static void setUp() throws Exception {
        certs = TestCerts.create(tmp.resolve("certs"));
        proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(42, "worker", "/usr/bin/worker", 4096);
    }

    private static Exporter start(String yaml) throws Exception {
        Path file = Files.createTempFile(certs.dir, "web", ".yml");
        Files.writeString(file, yaml);
        return Exporter.start(TestSettings.of("--path.procfs=" + proc.root(), "--web.config.file=" + file));
    }

    private static HttpResponse<String> get(HttpClient client, String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpClient tlsClient(String caFile, boolean clientCert) throws Exception {
        SSLContext ctx = certs.clientContext(caFile, clientCert);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void httpsWorksWithTheRightCaAndPlainHttpIsRefused() throws Exception {
        String yaml = "tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n";
        try (Exporter e = start(yaml)) {
            int port = e.ports().get(0);
            HttpResponse<String> ok = get(tlsClient("ca.pem", false), "https://127.0.0.1:" + port + "/metrics", null);
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("windows_process_info{process=\"worker\""), ok.body());
            assertEquals("TLSv1.3", ok.sslSession().orElseThrow().getProtocol());

            assertThrows(SSLHandshakeException.class,
                    () -> get(tlsClient("other-ca.pem", false), "https://127.0.0.1:" + port + "/metrics", null),
                    "a client that does not trust our CA must fail the handshake");

            String plain;
            try {
                plain = RawHttp.exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            } catch (IOException refused) {
                plain = "";
            }
            assertTrue(!plain.contains("windows_process") && !plain.startsWith("HTTP/1.1 200"), "plain HTTP answered: " + plain);
        }
    }

    @Test
    void minVersionIsEnforced() throws Exception {
        String yaml = "tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n  min_version: TLS13\n";
        try (Exporter e = start(yaml)) {
            int port = e.ports().get(0);
            SSLContext ctx = certs.clientContext("ca.pem", false);
            SSLParameters tls12only = new SSLParameters();
            tls12only.setProtocols(new String[]{"TLSv1.2"});
            HttpClient old = HttpClient.newBuilder().sslContext(ctx).sslParameters(tls12only).build();
            assertThrows(IOException.class, () -> get(old, "https://127.0.0.1:" + port + "/health", null));
            assertEquals(200, get(tlsClient("ca.pem", false), "https://127.0.0.1:" + port + "/health", null).statusCode());
        }
    }

    @Test
    void mutualTlsRequiresAClientCertificateFromTheClientCa() throws Exception {
        String yaml = "tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n"
                + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n";
        try (Exporter e = start(yaml)) {
            String url = "https://127.0.0.1:" + e.ports().get(0) + "/metrics";
            assertEquals(200, get(tlsClient("ca.pem", true), url, null).statusCode());
            try {
                HttpResponse<String> r = get(tlsClient("ca.pem", false), url, null);
                fail("served without a client certificate: " + r.statusCode());
            } catch (IOException expected) {
                // handshake failure or reset: the point is that nothing was served
            }
        }
    }

    @Test
    void basicAuthWithBcrypt() throws Exception {
        String hash = BCrypt.hashpw("s3cret!", BCrypt.gensalt(10));
        String yaml = "basic_auth_users:\n  prometheus: " + hash + "\n  htpasswd-user: '" + FOREIGN_2Y_HASH + "'\n";
        try (Exporter e = start(yaml)) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + e.ports().get(0);
            for (String path : new String[]{"/metrics", "/", "/health", "/version", "/missing"}) {
                HttpResponse<String> none = get(client, base + path, null);
                assertEquals(401, none.statusCode(), path);
                assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic "), path);
            }
            // wrong credentials: 401, and the client's next connection within a second is refused at accept
            for (String wrong : new String[]{basic("prometheus", "wrong"), basic("nobody", "s3cret!"), "Basic !!!not-base64",
                    "Bearer s3cret!"}) {
                assertEquals(401, get(client, base + "/metrics", wrong).statusCode(), wrong);
                assertThrows(java.io.IOException.class, () -> get(client, base + "/metrics", basic("prometheus", "s3cret!")),
                        "a connection right after a wrong password is refused");
                Thread.sleep(ConnectionGate.PENALTY_MILLIS + 200);
            }
            HttpResponse<String> ok = get(client, base + "/metrics", basic("prometheus", "s3cret!"));
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("windows_process_info"));
            assertEquals(200, get(client, base + "/metrics", basic("prometheus", "s3cret!")).statusCode(), "cached success");
            assertEquals(401, get(client, base + "/metrics", basic("prometheus", "s3cret!x")).statusCode());
            Thread.sleep(ConnectionGate.PENALTY_MILLIS + 200);
            assertEquals(200, get(client, base + "/health", basic("htpasswd-user", "rasmuslerdorf")).statusCode(),
                    "a $2y$ hash made by another bcrypt implementation must verify");
        }
    }

    @Test
    void tlsAndAuthTogether() throws Exception {
        String hash = BCrypt.hashpw("pw", BCrypt.gensalt(4));
        String yaml = "tls_server_config:\n  cert_file: " + certs.dir.resolve("server.pem") + "\n  key_file: server-key.pem\n"
                + "basic_auth_users:\n  p: " + hash + "\n";
        try (Exporter e = start(yaml)) {
            String url = "https://127.0.0.1:" + e.ports().get(0) + "/metrics";
            HttpClient c = tlsClient("ca.pem", false);
            assertEquals(401, get(c, url, null).statusCode());
            assertEquals(200, get(c, url, basic("p", "pw")).statusCode());
        }
    }
}
