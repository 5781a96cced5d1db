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

    /** No certificate, chain or key file needs more. */
    static final int MAX_BYTES = 1024 * 1024;

    static List<Certificate> certificates(Path file, String key) {
        return certificates(read(file, "tls_server_config." + key + " " + file + ": "), "tls_server_config." + key + " " + file + ": ");
    }

    /** Certificates written inline in the web config ({@code cert}, {@code client_ca}). */
    static List<Certificate> certificates(String pem, String key) {
        return certificates(pem.getBytes(StandardCharsets.US_ASCII), "tls_server_config." + key + ": ");
    }

    private static List<Certificate> certificates(byte[] pem, String where) {
        try (InputStream in = new java.io.ByteArrayInputStream(pem)) {
            List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(where + "no PEM certificate in it");
            }
            return List.copyOf(certs);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalArgumentException i && i.getMessage() != null && i.getMessage().startsWith(where)) {
                throw i;
            }
            // the JDK's message names its own exceptions ("IOException: Too short"): not for a user
            throw new IllegalArgumentException(where + "not a PEM certificate (or a damaged one)");
        }
    }

    /**
     * The bytes of a regular file of at most {@link #MAX_BYTES}: a device such as /dev/zero, a
     * pipe or a folder is refused before anything is read from it.
     */
    static byte[] read(Path file, String where) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(where + (Files.exists(file) ? "not a regular file (a PEM file is needed)"
                        : "cannot read: no such file"));
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes(MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    throw new IllegalArgumentException(where + "larger than " + MAX_BYTES / 1024 + " KiB, which no PEM file needs");
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(where + "cannot read: " + e.getClass().getSimpleName());
        }
    }

    static PrivateKey privateKey(Path file) {
        String where = "tls_server_config.key_file " + file + ": ";
        return privateKey(read(file, where), where);
    }

    /** A key written inline in the web config ({@code key}). */
    static PrivateKey privateKey(String pem) {
        return privateKey(pem.getBytes(StandardCharsets.US_ASCII), "tls_server_config.key: ");
    }

    private static PrivateKey privateKey(byte[] bytes, String where) {
        try (Reader reader = new java.io.InputStreamReader(new java.io.ByteArrayInputStream(bytes), StandardCharsets.US_ASCII);
             PEMParser pem = new PEMParser(reader)) {
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
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException i && i.getMessage() != null && i.getMessage().startsWith(where)) {
                throw i;
            }
            // the bytes are in memory: a failure here is the content (BouncyCastle's and the JDK's words are not for a user)
            throw new IllegalArgumentException(where + "not a usable PEM private key (a damaged one, an encrypted one,"
                    + " or an EC key without its curve)");
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
