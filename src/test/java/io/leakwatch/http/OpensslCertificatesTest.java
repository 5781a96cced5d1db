package io.leakwatch.http;

import io.leakwatch.testing.ChildExporter;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.TestCerts;
import io.leakwatch.testing.TestExporter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PEM files operators actually have, made by the real openssl (an EC key from `openssl ecparam`
 * in SEC1 form, RSA keys from `openssl req -nodes` in PKCS#8, a PKCS#12 client bundle), serve TLS
 * with client certificates. The fast tier's certificates are made in Java instead.
 */
@Tag("system")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpensslCertificatesTest {
    @TempDir
    Path tmp;

    @Test
    void mutualTlsWithOpensslMadeFiles() throws Exception {
        TestCerts certs = TestCerts.createWithOpenssl(tmp.resolve("certs"));
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(42, "worker", "/usr/bin/worker", 4096);
        Path web = certs.dir.resolve("web.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n"
                + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n");
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--web.config.file=" + web)) {
            HttpResponse<String> r = Http.get(Http.client(certs.clientContext("ca.pem", true)), e.https("/metrics"));
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("windows_process_info{process=\"worker\""), r.body());
        }
    }

    /**
     * curve_preferences as a real TLS client sees it: a client offering only a curve left out is
     * refused, one offering a listed curve is served. In a JVM of its own: on Java 17 to 19 the
     * curves are set for the whole process at start.
     */
    @Test
    void curvePreferencesApply() throws Exception {
        TestCerts certs = TestCerts.createWithOpenssl(tmp.resolve("certs"));
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        Path web = certs.dir.resolve("web.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n"
                + "  curve_preferences: [CurveP384]\n");
        try (ChildExporter e = ChildExporter.start(List.of(), "--path.procfs=" + proc.root(), "--web.config.file=" + web,
                "--leak.state-file=")) {
            assertEquals(0, sClient(e.port, "P-384"), "a listed curve");
            assertTrue(sClient(e.port, "X25519") != 0, "a curve left out must fail the handshake");
        }
    }

    /** openssl s_client's exit status for one handshake offering only {@code group}. */
    private static int sClient(int port, String group) throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-groups", group, "-brief")
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        System.out.printf("openssl s_client -groups %s: exit %d: %s%n", group, p.exitValue(), out.lines().findFirst().orElse(""));
        return p.exitValue();
    }
}
