package io.leakwatch.http;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads exporter-toolkit's PEM files: certificate chains and CA bundles, and an unencrypted
 * private key in PKCS#8, PKCS#1 or SEC1 form. PEM decoding is BouncyCastle's. Problems are
 * one line naming the setting and the file.
 */
final class PemFiles {
    private PemFiles() {
    }

    static List<Certificate> certificates(Path file, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("tls_server_config." + key + " " + file + ": no PEM certificate in it");
            }
            return List.copyOf(certs);
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

    /** A signature made with the key verifies with the certificate's public key. */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
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
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
