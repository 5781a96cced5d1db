package io.leakwatch;

import io.leakwatch.config.UsageException;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.TestCerts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad --web.config.file or guard flag is one line on stderr and exit code 2, before anything listens. */
class StartupErrorsTest {
    @TempDir
    static Path tmp;
    static TestCerts certs;
    static ProcFixture proc;

    @BeforeAll
    static void setUp() throws Exception {
        certs = TestCerts.shared();
        proc = new ProcFixture(tmp.resolve("proc"));
    }

    private static String runExpectingUsageError(String... flags) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(List.of("--web.listen-address=127.0.0.1:0", "--path.procfs=" + proc.root()));
        args.addAll(List.of(flags));
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(UsageException.EXIT_CODE, code, "exit code for " + args + ", stderr: " + text);
        assertTrue(text.startsWith("leakwatch: "), text);
        assertEquals(1, text.strip().lines().count(), "one line expected: " + text);
        assertTrue(!text.contains("Exception:") && !text.contains("\tat "), "no stack trace: " + text);
        return text;
    }

    private static String webConfig(String yaml) throws Exception {
        Path f = Files.createTempFile(certs.dir, "bad", ".yml");
        Files.writeString(f, yaml);
        return runExpectingUsageError("--web.config.file=" + f);
    }

    @Test
    void unreadableOrInvalidWebConfig() throws Exception {
        assertTrue(runExpectingUsageError("--web.config.file=" + tmp.resolve("missing.yml")).contains("cannot read"));
        assertTrue(runExpectingUsageError("--web.config.file=" + tmp).contains("cannot read"), "a folder is not a file");
        assertTrue(webConfig("tls_server_config: [unclosed\n").contains("invalid YAML"));
        assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n").contains("missing one of key or key_file"));
        assertTrue(webConfig("tls_server_config:\n  key_file: server-key.pem\n").contains("missing one of cert or cert_file"));
        assertTrue(webConfig("tls_server_confg:\n  cert_file: x\n").contains("unknown key 'tls_server_confg'"));
        assertTrue(webConfig("basic_auth_users:\n  u: plaintext-password\n").contains("not a bcrypt hash"));
        assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n  key_file: nope.pem\n").contains("key_file"));
        assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n  key_file: client-key.pem\n")
                .contains("is not the private key"));
        assertTrue(webConfig("tls_server_config:\n  cert_file: server-key.pem\n  key_file: server-key.pem\n").contains("cert_file"));
        assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n  min_version: TLS99\n")
                .contains("min_version"));
        assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n"
                + "  client_ca_file: ca.pem\n").contains("without a client_auth_type"));
        assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n"
                + "  client_auth_type: Sometimes\n").contains("client_auth_type: 'Sometimes' is not one of"));
        assertTrue(webConfig("- just\n- a list\n").contains("expected a mapping"));
    }

    /** exporter-toolkit reads strictly: wrong types, unknown names and duplicate keys are errors there too. */
    @Test
    void wrongTypesAndUnknownNamesInTheWebConfig() throws Exception {
        String tls = "tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n";
        assertTrue(webConfig("tls_server_config:\n  cert_file: [server.pem]\n  key_file: server-key.pem\n")
                .contains("cert_file: expected a string, got a list"));
        assertTrue(webConfig("basic_auth_users: [a, b]\n").contains("basic_auth_users: expected a mapping, got a list"));
        assertTrue(webConfig("basic_auth_users:\n  u: {a: b}\n").contains("basic_auth_users.u: expected a string, got a mapping"));
        assertTrue(webConfig(tls + "  cipher_suites: TLS_AES_128_GCM_SHA256\n").contains("cipher_suites: expected a list"));
        assertTrue(webConfig(tls + "  cipher_suites: [TLS_INVENTED_WITH_ROT13]\n").contains("unknown cipher 'TLS_INVENTED_WITH_ROT13'"));
        assertTrue(webConfig(tls + "  curve_preferences: [CurveP999]\n").contains("unknown curve 'CurveP999'"));
        assertTrue(webConfig(tls + "  prefer_server_cipher_suites: maybe\n").contains("expected true or false"));
        assertTrue(webConfig(tls + "  cert_file: again.pem\n").contains("duplicate"), "a key twice");
        assertTrue(webConfig("http_server_config:\n  http2: 3\n").contains("http2: expected true or false"));
        assertTrue(webConfig("http_server_config:\n  http3: true\n").contains("unknown key 'http_server_config.http3'"));
        assertTrue(webConfig("http_server_config:\n  headers:\n    X-Powered-By: me\n").contains("'X-Powered-By' can not be configured"));
        assertTrue(webConfig("http_server_config:\n  headers:\n    X-Frame-Options: allow\n").contains("not one of deny, sameorigin"));
        assertTrue(webConfig("http_server_config:\n  headers: [X-Frame-Options]\n").contains("headers: expected a mapping"));
        assertTrue(webConfig("rate_limit:\n  interval: soon\n  burst: 1\n").contains("rate_limit.interval: 'soon' is not a duration"));
        assertTrue(webConfig("rate_limit:\n  interval: 1s\n  burst: many\n").contains("rate_limit.burst: expected a whole number"));
        assertTrue(webConfig("rate_limit:\n  interval: -1s\n  burst: 1\n").contains("must not be negative"));
        assertTrue(webConfig("rate_limit:\n  every: 1s\n").contains("unknown key 'rate_limit.every'"));
    }

    /** An EC key as some tools write it (SEC1 without its curve): one line in words, not the crypto library's exception. */
    @Test
    void anUnusableKeyIsOneLineInWords() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        Path key = Files.createTempFile(certs.dir, "curveless", ".pem");
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(Files.newBufferedWriter(key))) {
            w.writeObject(g.generateKeyPair().getPrivate());
        }
        assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n  key_file: " + key + "\n")
                .contains("not a usable PEM private key"));
    }

    /** Special files as certificates are refused before anything reads them (a read of /dev/zero never ends). */
    @Test
    void specialFilesAsCertificatesAreRefused() throws Exception {
        for (String special : new String[]{"/dev/zero", "/dev/stdin", "/dev/urandom"}) {
            assertTrue(webConfig("tls_server_config:\n  cert_file: " + special + "\n  key_file: server-key.pem\n")
                    .contains("cert_file " + special + ": not a regular file"), special);
            assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n  key_file: " + special + "\n")
                    .contains("key_file " + special + ": not a regular file"), special);
        }
        assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n"
                + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: /dev/zero\n").contains("not a regular file"));
    }

    @Test
    void webConfigThatCannotWorkIsRefused() throws Exception {
        String hash = "a".repeat(53);
        assertTrue(webConfig("basic_auth_users:\n  u: $2b$03$" + hash + "\n").contains("bcrypt cost 3 is outside 4-18"));
        assertTrue(webConfig("basic_auth_users:\n  u: $2b$31$" + hash + "\n").contains("bcrypt cost 31 is outside 4-18"));
        assertTrue(webConfig("basic_auth_users:\n  u: $2b$99$" + hash + "\n").contains("bcrypt cost 99 is outside 4-18"));
        assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n  min_version: TLS10\n")
                .contains("min_version: TLS10 is disabled in this Java runtime"));
        assertTrue(webConfig("tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n  max_version: TLS11\n")
                .contains("max_version: TLS11 is disabled in this Java runtime"));
    }

    @Test
    void invalidGuardFlags() {
        assertTrue(runExpectingUsageError("--collector.process.cmdline-redact=(unclosed").contains("invalid regex"));
        assertTrue(runExpectingUsageError("--collector.process.max-processes=lots").contains("max-processes"));
        assertTrue(runExpectingUsageError("--web.max-requests=-1").contains("web.max-requests"));
        for (String reserved : new String[]{"/leaks", "/leaks.json", "/health", "/version", "/debug/threads", "/debug/x"}) {
            assertTrue(runExpectingUsageError("--telemetry.path=" + reserved).contains("is a page of leakwatch's own"), reserved);
        }
        assertTrue(runExpectingUsageError("--telemetry.path=/").contains("telemetry.path"));
    }
}
