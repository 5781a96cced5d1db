package io.leakwatch.http;

import io.leakwatch.testing.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live key manager, driven as JSSE drives it: an alias, then its key, then its chain. */
class JettyTlsTest {
    @Test
    void aHandshakeGetsTheKeyAndChainOfTheConfigItChose(@TempDir Path tmp) throws Exception {
        TestCerts own = TestCerts.shared().copyTo(tmp.resolve("certs"));
        Path file = own.dir.resolve("web.yml");
        TestCerts.write(file, "tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n");
        JettyTls.LiveKeyManager keys = new JettyTls.LiveKeyManager(new LiveWebConfig(WebConfig.load(file)));

        String alias = keys.chooseEngineServerAlias("EC", null, null);
        PrivateKey key = keys.getPrivateKey(alias);
        X509Certificate renewed = own.renewServer("server.pem", "server-key.pem"); // between JSSE's calls
        String renewedAlias = keys.chooseEngineServerAlias("EC", null, null);      // the renewal is read here
        X509Certificate[] chain = keys.getCertificateChain(alias);

        assertTrue(PemFiles.matches(key, chain[0].getPublicKey()), "the handshake that chose before the renewal keeps its pair");
        assertNotEquals(alias, renewedAlias);
        assertTrue(keys.getCertificateChain(renewedAlias)[0].equals(renewed), "the next handshake gets the renewed certificate");
        assertTrue(PemFiles.matches(keys.getPrivateKey(renewedAlias), renewed.getPublicKey()));
    }
}
