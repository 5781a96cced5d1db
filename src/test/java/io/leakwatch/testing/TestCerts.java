package io.leakwatch.testing;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made at test time: a CA, a server and a client signed by it, and an unrelated CA.
 * {@link #shared} makes them once per test JVM in Java with BouncyCastle (the fast tier needs no
 * tools; RSA keys take a while), {@link #renewServer} signs a new server certificate with the same
 * CA; {@link #createWithOpenssl} makes the same files with the real openssl, to prove the PEM forms
 * operators actually have are read (system tier).
 */
public final class TestCerts {
    private static final String PASSWORD = "test";
    private static TestCerts shared;
    public final Path dir;
    private final KeyPair caKeys; // null for openssl-made ones

    private TestCerts(Path dir, KeyPair caKeys) {
        this.dir = dir;
        this.caKeys = caKeys;
    }

    /**
     * The certificates of this JVM, made on first use in a temporary folder removed at exit. Tests
     * may add files to {@link #dir} (web configs) but must not change the ones made here; copy them
     * with {@link #copyTo} to change them.
     */
    public static synchronized TestCerts shared() throws IOException, GeneralSecurityException, OperatorCreationException {
        if (shared == null) {
            Path dir = Files.createTempDirectory("leakwatch-certs");
            shared = create(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException e) {
                    // a temporary folder left behind
                }
            }));
        }
        return shared;
    }

    /** The same certificates in another folder (which the caller may change), with the same CA to renew them. */
    public TestCerts copyTo(Path target) throws IOException {
        Files.createDirectories(target);
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, target.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return new TestCerts(target, caKeys);
    }

    /**
     * Writes a new server key and certificate (a new serial, same CA and names) to {@code certName}
     * and {@code keyName} in {@link #dir}, each by a rename as certificate tools do, and returns the
     * new certificate.
     */
    public X509Certificate renewServer(String certName, String keyName) throws Exception {
        KeyPair serverKeys = keys("EC", 256);
        X509Certificate server = certificate("127.0.0.1", serverKeys.getPublic(), "leakwatch test CA", caKeys.getPrivate(), false);
        Path certTmp = dir.resolve(certName + ".new");
        Path keyTmp = dir.resolve(keyName + ".new");
        pem(certTmp, server);
        sec1(keyTmp, serverKeys);
        Files.move(keyTmp, dir.resolve(keyName), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.move(certTmp, dir.resolve(certName), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        backdate(dir.resolve(keyName));
        backdate(dir.resolve(certName));
        return server;
    }

    /**
     * Writes {@code text} to {@code file} dated a second ago: leakwatch takes a changed web config
     * file once it has been quiet a moment, and a test need not wait for that.
     */
    public static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        backdate(file);
    }

    private static void backdate(Path file) throws IOException {
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 1000));
    }

    /** ca.pem, server.pem + server-key.pem (SEC1 form), client.pem + client-key.pem + client.p12, and other-ca.pem; EC keys (made in a moment; the openssl-made set has RSA ones). */
    private static TestCerts create(Path dir) throws IOException, GeneralSecurityException, OperatorCreationException {
        Files.createDirectories(dir);
        KeyPair caKeys = keys("EC", 256);
        X509Certificate ca = certificate("leakwatch test CA", caKeys.getPublic(), "leakwatch test CA", caKeys.getPrivate(), true);
        KeyPair otherKeys = keys("EC", 256);
        X509Certificate other = certificate("some other CA", otherKeys.getPublic(), "some other CA", otherKeys.getPrivate(), true);
        KeyPair serverKeys = keys("EC", 256);
        X509Certificate server = certificate("127.0.0.1", serverKeys.getPublic(), "leakwatch test CA", caKeys.getPrivate(), false);
        KeyPair clientKeys = keys("EC", 256);
        X509Certificate client = certificate("prometheus", clientKeys.getPublic(), "leakwatch test CA", caKeys.getPrivate(), false);
        pem(dir.resolve("ca.pem"), ca);
        pem(dir.resolve("ca-key.pem"), new PemObject("PRIVATE KEY", caKeys.getPrivate().getEncoded())); // PKCS#8
        pem(dir.resolve("other-ca.pem"), other);
        pem(dir.resolve("server.pem"), server);
        sec1(dir.resolve("server-key.pem"), serverKeys);
        pem(dir.resolve("client.pem"), client);
        pem(dir.resolve("client-key.pem"), new PemObject("PRIVATE KEY", clientKeys.getPrivate().getEncoded()));
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        p12.load(null, null);
        p12.setKeyEntry("client", clientKeys.getPrivate(), PASSWORD.toCharArray(), new Certificate[]{client, ca});
        try (OutputStream out = Files.newOutputStream(dir.resolve("client.p12"))) {
            p12.store(out, PASSWORD.toCharArray());
        }
        return new TestCerts(dir, caKeys);
    }

    private static KeyPair keys(String algorithm, int size) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        generator.initialize(size);
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, PublicKey key, String issuer, PrivateKey issuerKey, boolean isCa)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuer),
                BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))), new X500Name("CN=" + subject), key);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (!isCa) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        String signature = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(signature).build(issuerKey)));
    }

    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private static void pem(Path file, Object object) throws IOException {
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(file))) {
            writer.writeObject(object);
        }
    }

    /** "EC PRIVATE KEY" as openssl writes it: SEC1 with the curve and the public key inside. */
    private static void sec1(Path file, KeyPair keys) throws IOException {
        PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
        SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        ECPrivateKey full = new ECPrivateKey(256, inner.getKey(), publicKey.getPublicKeyData(),
                pkcs8.getPrivateKeyAlgorithm().getParameters());
        pem(file, new PemObject("EC PRIVATE KEY", full.getEncoded()));
    }

    /** The same files made by the openssl command line (Debian package openssl). */
    public static TestCerts createWithOpenssl(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=leakwatch test CA");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca-key.pem", "-out", "other-ca.pem",
                "-days", "2", "-subj", "/CN=some other CA");
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server-key.pem");
        openssl(dir, "req", "-new", "-key", "server-key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client-key.pem", "-out", "client.csr", "-subj", "/CN=prometheus");
        openssl(dir, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", "client.pem", "-days", "2");
        openssl(dir, "pkcs12", "-export", "-in", "client.pem", "-inkey", "client-key.pem", "-out", "client.p12", "-passout",
                "pass:" + PASSWORD);
        return new TestCerts(dir, null);
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }

    /**
     * A new client context (its own session cache: no handshake resumes an earlier one) trusting
     * {@code caFile}, presenting the client certificate when {@code withClientCert}. The key and
     * trust managers are made once per file (a PKCS#12 file takes a while to open).
     */
    public SSLContext clientContext(String caFile, boolean withClientCert) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(withClientCert ? keyManagers() : null, trustManagers(caFile), null);
        return ctx;
    }

    private final java.util.Map<String, javax.net.ssl.TrustManager[]> trust = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile javax.net.ssl.KeyManager[] keys;

    private javax.net.ssl.TrustManager[] trustManagers(String caFile) throws Exception {
        javax.net.ssl.TrustManager[] managers = trust.get(caFile);
        if (managers == null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            try (InputStream in = Files.newInputStream(dir.resolve(caFile))) {
                store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            managers = tmf.getTrustManagers();
            trust.put(caFile, managers);
        }
        return managers;
    }

    private javax.net.ssl.KeyManager[] keyManagers() throws Exception {
        if (keys == null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve("client.p12"))) {
                store.load(in, PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASSWORD.toCharArray());
            keys = kmf.getKeyManagers();
        }
        return keys;
    }
}
