package io.leakwatch.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.RawHttp;
import io.leakwatch.testing.TestCerts;
import io.leakwatch.testing.TestExporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.bcrypt.BCrypt;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.leakwatch.testing.Http.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** --web.config.file end to end: every key of exporter-toolkit's format, real TLS and basic auth on loopback, and re-reading. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebConfigTest {
    /** A $2y$ hash made elsewhere (the example of PHP's password_verify manual page), password "rasmuslerdorf". */
    static final String FOREIGN_2Y_HASH = "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq";
    static final String PW_HASH = BCrypt.hashpw("pw", BCrypt.gensalt(4));
    static final String TLS = "tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n";

    @TempDir
    static Path tmp;
    static TestCerts certs;
    static ProcFixture proc;

    @BeforeAll
    static void setUp() throws Exception {
        certs = TestCerts.shared();
        proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(42, "worker", "/usr/bin/worker", 4096);
    }

    private static TestExporter start(String yaml) throws Exception {
        return start(certs.dir, yaml);
    }

    private static TestExporter start(Path dir, String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "web", ".yml");
        Files.writeString(file, yaml);
        return TestExporter.start("--path.procfs=" + proc.root(), "--web.config.file=" + file);
    }

    private static HttpClient tlsClient(String caFile, boolean clientCert) throws Exception {
        return Http.client(certs.clientContext(caFile, clientCert));
    }

    private static HttpClient tlsClient(String caFile, boolean clientCert, String protocol, String... suites) throws Exception {
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[]{protocol});
        if (suites.length > 0) {
            p.setCipherSuites(suites);
        }
        return Http.client(certs.clientContext(caFile, clientCert), p);
    }

    @Test
    void httpsWorksWithTheRightCaAndPlainHttpIsRefused() throws Exception {
        try (TestExporter e = start(TLS)) {
            HttpResponse<String> ok = Http.get(tlsClient("ca.pem", false), e.https("/metrics"));
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("windows_process_info{process=\"worker\""), ok.body());
            assertEquals("TLSv1.3", ok.sslSession().orElseThrow().getProtocol());
            assertThrows(SSLHandshakeException.class, () -> Http.get(tlsClient("other-ca.pem", false), e.https("/metrics")),
                    "a client that does not trust our CA must fail the handshake");
            String plain;
            try {
                plain = RawHttp.exchange(e.port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            } catch (IOException refused) {
                plain = "";
            }
            assertTrue(!plain.contains("windows_process") && !plain.startsWith("HTTP/1.1 200"), "plain HTTP answered: " + plain);
        }
    }

    @Test
    void versionsCipherSuitesAndTheirOrderApply() throws Exception {
        String a = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
        String b = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        try (TestExporter e = start(TLS + "  min_version: TLS13\n")) {
            assertThrows(IOException.class, () -> Http.get(tlsClient("ca.pem", false, "TLSv1.2"), e.https("/health")));
            assertEquals(200, Http.get(tlsClient("ca.pem", false), e.https("/health")).statusCode());
        }
        String suites = "  max_version: TLS12\n  cipher_suites: [" + a + ", " + b + "]\n";
        try (TestExporter e = start(TLS + suites)) {
            // the server's order wins by default (prefer_server_cipher_suites: true)
            assertEquals(a, session(Http.get(tlsClient("ca.pem", false, "TLSv1.2", b, a), e.https("/health"))).getCipherSuite());
            assertThrows(IOException.class, () -> Http.get(tlsClient("ca.pem", false, "TLSv1.2",
                    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"), e.https("/health")), "a suite not listed is refused");
            assertThrows(IOException.class, () -> Http.get(tlsClient("ca.pem", false, "TLSv1.3"), e.https("/health")),
                    "max_version TLS12");
        }
        try (TestExporter e = start(TLS + suites + "  prefer_server_cipher_suites: false\n")) {
            assertEquals(b, session(Http.get(tlsClient("ca.pem", false, "TLSv1.2", b, a), e.https("/health"))).getCipherSuite());
        }
    }

    private static SSLSession session(HttpResponse<String> r) {
        assertEquals(200, r.statusCode());
        return r.sslSession().orElseThrow();
    }

    /** One exporter, its file rewritten for each policy: every new handshake takes the policy of the file as it is then. */
    @Test
    void everyClientAuthTypeAppliesFromTheNextHandshake() throws Exception {
        Path dir = certs.copyTo(tmp.resolve("client-auth")).dir;
        Path file = dir.resolve("web.yml");
        Files.writeString(file, TLS);
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--web.config.file=" + file)) {
            // client.pem is signed by ca.pem; other-ca.pem signed nothing the client has
            record Case(String policy, boolean withoutCert, boolean withCert) {
            }
            for (Case c : List.of(new Case("client_auth_type: NoClientCert", true, true),
                    new Case("client_auth_type: RequestClientCert", true, true),
                    new Case("client_auth_type: RequireAnyClientCert", false, true),
                    new Case("client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.pem", true, true),
                    new Case("client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem", false, true),
                    new Case("client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: other-ca.pem", false, false),
                    // Java's client keeps back a certificate the server's CAs did not sign: served as one without
                    new Case("client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: other-ca.pem", true, true),
                    new Case("client_auth_type: RequestClientCert\n  client_allowed_sans: [nobody]", true, false),
                    new Case("client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n"
                            + "  client_allowed_sans: [one, localhost]", false, true),
                    new Case("client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n"
                            + "  client_allowed_sans: ['127.0.0.1']", false, true),
                    new Case("client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n"
                            + "  client_allowed_sans: [bad]", false, false))) {
                TestCerts.write(file, TLS + "  " + c.policy + "\n");
                assertEquals(c.withCert, served(certs.clientContext("ca.pem", true), e), c.policy + ", with a certificate");
                assertEquals(c.withoutCert, served(certs.clientContext("ca.pem", false), e), c.policy + ", without a certificate");
            }
        }
    }

    /** A handshake and GET /health on a raw TLS socket (an HTTP client per call costs far more). */
    private static boolean served(SSLContext client, TestExporter e) {
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", e.port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(RawHttp.readAll(s.getInputStream()), java.nio.charset.StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200");
        } catch (IOException refused) {
            return false;
        }
    }

    @Test
    void inlineCertificateAndKey() throws Exception {
        String yaml = "tls_server_config:\n  cert: |\n" + indent(Files.readString(certs.dir.resolve("server.pem")))
                + "  key: |\n" + indent(Files.readString(certs.dir.resolve("server-key.pem")));
        try (TestExporter e = start(tmp, yaml)) {
            assertEquals(200, Http.get(tlsClient("ca.pem", false), e.https("/health")).statusCode());
        }
    }

    private static String indent(String pem) {
        return pem.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
    }

    @Test
    void basicAuthWithBcryptCostsOnlyTheSender() throws Exception {
        String hash = BCrypt.hashpw("s3cret!", BCrypt.gensalt(4));
        String yaml = "basic_auth_users:\n  prometheus: " + hash + "\n  htpasswd-user: '" + FOREIGN_2Y_HASH + "'\n";
        try (TestExporter e = start(yaml)) {
            HttpClient client = Http.client(null);
            String base = "http://127.0.0.1:" + e.port;
            for (String path : new String[]{"/metrics", "/", "/health", "/version", "/missing"}) {
                HttpResponse<String> none = Http.get(client, base + path);
                assertEquals(401, none.statusCode(), path);
                assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic "), path);
            }
            // a wrong password costs its sender a reconnect, never the next client, whatever its address
            for (String wrong : new String[]{basic("prometheus", "wrong"), basic("nobody", "s3cret!"), "Basic !!!not-base64",
                    "Bearer s3cret!"}) {
                HttpResponse<String> r = Http.get(client, base + "/metrics", "Authorization", wrong);
                assertEquals(401, r.statusCode(), wrong);
                assertEquals("close", r.headers().firstValue("Connection").orElse(""), wrong);
                assertEquals(200, Http.get(client, base + "/metrics", "Authorization", basic("prometheus", "s3cret!")).statusCode(),
                        "the right password right after a wrong one");
            }
            assertEquals(401, Http.get(client, base + "/metrics", "Authorization", basic("prometheus", "s3cret!x")).statusCode());
            assertEquals(200, Http.get(client, base + "/health", "Authorization", basic("htpasswd-user", "rasmuslerdorf")).statusCode(),
                    "a $2y$ hash made by another bcrypt implementation must verify");
        }
    }

    @Test
    void headersRateLimitAndNosniffOnEveryAnswer() throws Exception {
        String yaml = "http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\n"
                + "    Content-Security-Policy: \"default-src 'self'\"\n    Strict-Transport-Security: ''\n"
                + "basic_auth_users:\n  p: " + PW_HASH + "\n"
                + "rate_limit:\n  interval: 1h\n  burst: 3\n";
        try (TestExporter e = start(yaml)) {
            int port = e.port;
            String auth = "Authorization: " + basic("p", "pw") + "\r\n";
            List<String> answers = List.of(
                    RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),              // 401
                    RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n"),   // 200
                    RawHttp.exchange(port, "GET /nope HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n"),     // 404
                    RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),                      // 400, Jetty's parser
                    RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n"),   // 200, the third
                    RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n"));  // 429
            assertEquals(List.of(401, 200, 404, 400, 200, 429), answers.stream().map(RawHttp::status).toList(), answers.toString());
            for (String r : answers) {
                assertTrue(r.contains("X-Content-Type-Options: nosniff\r\n"), r);
                assertTrue(r.contains("X-Frame-Options: deny\r\n"), r);
                assertTrue(r.contains("Content-Security-Policy: default-src 'self'\r\n"), r);
                assertTrue(!r.contains("Strict-Transport-Security"), "a blank header is unset: " + r);
            }
        }
    }

    @Test
    void exporterToolkitsSampleFileStartsUnchanged() throws Exception {
        Path dir = certs.copyTo(tmp.resolve("sample")).dir;
        Files.copy(dir.resolve("server.pem"), dir.resolve("server.crt"));
        Files.copy(dir.resolve("server-key.pem"), dir.resolve("server.key"));
        Path sample = dir.resolve("web-config.yml");
        try (InputStream in = WebConfigTest.class.getResourceAsStream("/exporter-toolkit/web-config.yml")) {
            Files.copy(in, sample);
        }
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--web.config.file=" + sample)) {
            HttpResponse<String> r = Http.get(tlsClient("ca.pem", false), e.https("/metrics"), "Authorization", basic("alice", "guess"));
            assertEquals(401, r.statusCode(), "TLS on, alice's password checked");
        }
    }

    @Test
    void aChangedPasswordAndARenewedCertificateApplyWithoutRestart() throws Exception {
        TestCerts own = certs.copyTo(tmp.resolve("renewal"));
        Path file = own.dir.resolve("web.yml");
        Files.writeString(file, TLS + "basic_auth_users:\n  p: " + PW_HASH + "\n");
        Logger logger = (Logger) LoggerFactory.getLogger(LiveWebConfig.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--web.config.file=" + file)) {
            String url = e.https("/health");
            HttpResponse<String> before = Http.get(tlsClient("ca.pem", false), url, "Authorization", basic("p", "pw"));
            assertEquals(200, before.statusCode());
            X509Certificate served = (X509Certificate) before.sslSession().orElseThrow().getPeerCertificates()[0];

            TestCerts.write(file, TLS + "basic_auth_users:\n  p: " + BCrypt.hashpw("new", BCrypt.gensalt(4)) + "\n");
            X509Certificate renewed = own.renewServer("server.pem", "server-key.pem");
            HttpResponse<String> after = Http.get(tlsClient("ca.pem", false), url, "Authorization", basic("p", "new"));
            assertEquals(200, after.statusCode(), "the new password, on a new connection");
            assertEquals(renewed.getSerialNumber(),
                    ((X509Certificate) after.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber());
            assertTrue(!renewed.getSerialNumber().equals(served.getSerialNumber()));
            assertEquals(401, Http.get(tlsClient("ca.pem", false), url, "Authorization", basic("p", "pw")).statusCode(),
                    "the old password no longer works");

            // a broken file keeps the last good config, and says so once
            TestCerts.write(file, TLS + "basic_auth_users:\n  p: not-a-hash\n");
            for (int i = 0; i < 3; i++) {
                assertEquals(200, Http.get(tlsClient("ca.pem", false), url, "Authorization", basic("p", "new")).statusCode());
            }
            List<String> warnings = events.list.stream().filter(ev -> ev.getLevel().toString().equals("WARN"))
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("not a bcrypt hash") && warnings.get(0).contains("keeping the previous"), warnings.get(0));
        } finally {
            logger.detachAppender(events);
        }
    }

    @Test
    void aFileCaughtEmptiedNeverTurnsPasswordsOff() throws Exception {
        Path file = Files.createTempFile(certs.dir, "web", ".yml");
        Files.writeString(file, "basic_auth_users:\n  p: " + PW_HASH + "\n");
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--web.config.file=" + file)) {
            String url = "http://127.0.0.1:" + e.port + "/health";
            HttpClient client = Http.client(null);
            assertEquals(401, Http.get(client, url).statusCode());
            // a tool that empties the file, then is slow to write it (longer than the quiet time)
            TestCerts.write(file, "");
            assertEquals(401, Http.get(client, url).statusCode(), "an emptied file keeps the passwords");
            TestCerts.write(file, "basic_auth_users:\n");
            assertEquals(401, Http.get(client, url).statusCode(), "a half-written file keeps the passwords");
            TestCerts.write(file, "basic_auth_users:\n  p: " + PW_HASH + "\n");
            assertEquals(200, Http.get(client, url, "Authorization", basic("p", "pw")).statusCode());
        }
    }

    @Test
    void tlsAndAuthTogether() throws Exception {
        String yaml = "tls_server_config:\n  cert_file: " + certs.dir.resolve("server.pem") + "\n  key_file: server-key.pem\n"
                + "basic_auth_users:\n  p: " + PW_HASH + "\n";
        try (TestExporter e = start(yaml)) {
            HttpClient c = tlsClient("ca.pem", false);
            assertEquals(401, Http.get(c, e.https("/metrics")).statusCode());
            assertEquals(200, Http.get(c, e.https("/metrics"), "Authorization", basic("p", "pw")).statusCode());
        }
    }

    @Test
    void goDurations() {
        assertEquals(Duration.ofSeconds(1), WebConfig.goDuration("1s", "d"));
        assertEquals(Duration.ofMillis(1500), WebConfig.goDuration("1.5s", "d"));
        assertEquals(Duration.ofSeconds(90), WebConfig.goDuration("1m30s", "d"));
        assertEquals(Duration.ofNanos(250), WebConfig.goDuration(250, "d"));
        assertEquals(Duration.ZERO, WebConfig.goDuration("0", "d"));
        for (String bad : new String[]{"1", "s", "1x", "1s2", "", "1.5.2s"}) {
            try {
                WebConfig.goDuration(bad, "d");
                fail("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().contains("not a duration"), expected.getMessage());
            }
        }
    }
}
