package io.leakwatch.http;

import io.leakwatch.http.WebConfig;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;

/** Turns the TLS material of --web.config.file (read and checked in config) into Jetty's TLS configuration. */
final class JettyTls {
    private static final char[] IN_MEMORY_PASSWORD = "leakwatch".toCharArray(); // the key store never leaves memory

    private JettyTls() {
    }

    /** @throws IllegalArgumentException one line when the key cannot be put in a key store */
    static SslContextFactory.Server serverContext(WebConfig.Tls tls) {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("leakwatch", tls.key(), IN_MEMORY_PASSWORD, tls.chain().toArray(new Certificate[0]));
            factory.setKeyStore(keyStore);
            factory.setKeyStorePassword(new String(IN_MEMORY_PASSWORD));
            if (!tls.clientCas().isEmpty()) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (Certificate ca : tls.clientCas()) {
                    trust.setCertificateEntry("client-ca-" + i++, ca);
                }
                factory.setTrustStore(trust);
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("tls_server_config: key_file does not match cert_file or cannot be used: "
                    + e.getMessage());
        }
        switch (tls.clientAuth()) {
            case REQUIRE_AND_VERIFY_CLIENT_CERT -> factory.setNeedClientAuth(true);
            case VERIFY_CLIENT_CERT_IF_GIVEN -> factory.setWantClientAuth(true);
            case NO_CLIENT_CERT -> { }
        }
        List<String> protocols = new ArrayList<>();
        boolean inRange = false;
        for (String p : List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")) {
            inRange |= p.equals(tls.minVersion());
            if (inRange) {
                protocols.add(p);
            }
            if (p.equals(tls.maxVersion())) {
                break;
            }
        }
        factory.setIncludeProtocols(protocols.toArray(new String[0]));
        // Jetty excludes TLSv1/1.1 by default; an explicit min_version below 1.2 is the operator's choice.
        factory.setExcludeProtocols("SSL", "SSLv2", "SSLv2Hello", "SSLv3");
        return factory;
    }
}
