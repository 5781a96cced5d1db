package io.leakwatch.http;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns exporter-toolkit's PEM files (certificate chain, private key in PKCS#8, PKCS#1 or SEC1
 * form, client CA bundle) into Jetty's TLS configuration. PEM decoding is BouncyCastle's.
 */
final class PemTls {
    private static final char[] IN_MEMORY_PASSWORD = "leakwatch".toCharArray(); // the key store never leaves memory

    private PemTls() {
    }

    /** @throws IllegalArgumentException one line naming the file that cannot be used */
    static SslContextFactory.Server serverContext(WebConfig.Tls tls) {
        List<Certificate> chain = certificates(tls.certFile(), "cert_file");
        PrivateKey key = privateKey(tls.keyFile());
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException("tls_server_config: key_file " + tls.keyFile()
                    + " is not the private key of the first certificate in cert_file " + tls.certFile());
        }
        SslContextFactory.Server factory = new SslContextFactory.Server();
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("leakwatch", key, IN_MEMORY_PASSWORD, chain.toArray(new Certificate[0]));
            factory.setKeyStore(keyStore);
            factory.setKeyStorePassword(new String(IN_MEMORY_PASSWORD));
            if (tls.clientCaFile() != null) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (Certificate ca : certificates(tls.clientCaFile(), "client_ca_file")) {
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

    /** A signature made with the key verifies with the certificate's public key. */
    static boolean matches(PrivateKey key, java.security.PublicKey publicKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true; // unusual key type: let the TLS handshake judge it
        }
        try {
            byte[] probe = "leakwatch key check".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static List<Certificate> certificates(Path file, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("tls_server_config." + key + " " + file + ": no PEM certificate in it");
            }
            return certs;
        } catch (IOException e) {
            throw new IllegalArgumentException("tls_server_config." + key + " " + file + ": cannot read: "
                    + e.getClass().getSimpleName());
        } catch (GeneralSecurityException e) {
            // the JDK's message names its own exceptions ("IOException: Too short"): not for a user
            throw new IllegalArgumentException("tls_server_config." + key + " " + file + ": not a PEM certificate (or a damaged one)");
        }
    }

    static PrivateKey privateKey(Path file) {
        String where = "tls_server_config.key_file " + file + ": ";
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo()); // SEC1 keys may omit the public key
                }
            }
            throw new IllegalArgumentException(where + "no unencrypted PEM private key in it");
        } catch (IOException e) {
            throw new IllegalArgumentException(where + "cannot read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage().replaceAll("\\s+", " ")));
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(where + "not a usable PEM private key: " + e.getClass().getSimpleName());
        }
    }
}
