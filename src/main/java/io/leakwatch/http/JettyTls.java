package io.leakwatch.http;

import io.leakwatch.http.WebConfig;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Jetty's TLS from the web config of the moment, as exporter-toolkit builds Go's per handshake:
 * every new connection's engine takes the versions, cipher suites, their order and the client
 * certificate policy of the config as it is now, and the key manager and trust manager read the
 * certificate, key and client CAs of the config as it is at that handshake. A renewed
 * certificate is served from the next handshake on, without a restart.
 *
 * <p>Curves: Java 20 and later set them per connection; on older runtimes they are set for the
 * whole JVM at start (jdk.tls.namedGroups), so a change of curve_preferences takes a restart there.
 */
final class JettyTls {
    private static final Logger LOG = LoggerFactory.getLogger(JettyTls.class);
    private static final String ALIAS = "leakwatch";
    private static final java.lang.reflect.Method SET_NAMED_GROUPS = namedGroupsMethod();

    private JettyTls() {
    }

    static SslContextFactory.Server serverContext(LiveWebConfig web) {
        WebConfig.Tls first = web.current().tls();
        if (SET_NAMED_GROUPS == null && !first.curves().isEmpty() && System.getProperty("jdk.tls.namedGroups") == null) {
            System.setProperty("jdk.tls.namedGroups", String.join(",", first.curves()));
        }
        warnUnusableSuites(first);
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[]{new LiveKeyManager(web)}, new TrustManager[]{new LiveTrustManager(web)}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tls_server_config: this Java runtime cannot set up TLS: " + e.getMessage());
        }
        SslContextFactory.Server factory = new SslContextFactory.Server() {
            @Override
            public void customize(SSLEngine engine) {
                super.customize(engine);
                WebConfig.Tls tls = web.current().tls();
                if (tls == null) {
                    return; // TLS turned off in the file: that takes a restart (LiveWebConfig says so)
                }
                SSLParameters p = engine.getSSLParameters();
                p.setProtocols(protocols(tls, engine.getSupportedProtocols()));
                p.setCipherSuites(cipherSuites(tls, engine.getSupportedCipherSuites(), engine.getEnabledCipherSuites()));
                p.setUseCipherSuitesOrder(tls.preferServerCipherSuites());
                p.setNeedClientAuth(tls.clientAuth().requires());
                if (!tls.clientAuth().requires()) {
                    p.setWantClientAuth(tls.clientAuth() != WebConfig.ClientAuth.NO_CLIENT_CERT);
                }
                if (SET_NAMED_GROUPS != null && !tls.curves().isEmpty()) {
                    try {
                        SET_NAMED_GROUPS.invoke(p, (Object) tls.curves().toArray(new String[0]));
                    } catch (ReflectiveOperationException e) {
                        // cannot happen: the method was found public; the runtime's curves stay
                    }
                }
                engine.setSSLParameters(p);
            }
        };
        factory.setSslContext(context);
        // Jetty excludes TLSv1/1.1 by default; an explicit min_version below 1.2 is the operator's choice (checked usable)
        factory.setExcludeProtocols("SSL", "SSLv2", "SSLv2Hello", "SSLv3");
        factory.setExcludeCipherSuites();
        return factory;
    }

    private static String[] protocols(WebConfig.Tls tls, String[] supported) {
        List<String> out = new ArrayList<>();
        boolean inRange = false;
        for (String p : List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")) {
            inRange |= p.equals(tls.minVersion());
            if (inRange && Arrays.asList(supported).contains(p)) {
                out.add(p);
            }
            if (p.equals(tls.maxVersion())) {
                break;
            }
        }
        return out.toArray(new String[0]);
    }

    /**
     * cipher_suites lists TLS 1.2 and older suites, in order; as in Go, TLS 1.3's suites are not
     * configurable (listing them changes nothing), so the runtime's TLS 1.3 suites stay on.
     */
    private static String[] cipherSuites(WebConfig.Tls tls, String[] supported, String[] enabled) {
        if (tls.cipherSuites().isEmpty()) {
            return enabled;
        }
        List<String> out = new ArrayList<>();
        List<String> usable = Arrays.asList(supported);
        for (String s : tls.cipherSuites()) {
            if (!isTls13Suite(s) && usable.contains(s)) {
                out.add(s);
            }
        }
        for (String s : enabled) {
            if (isTls13Suite(s)) {
                out.add(s);
            }
        }
        return out.toArray(new String[0]);
    }

    private static boolean isTls13Suite(String name) {
        return name.startsWith("TLS_AES_") || name.startsWith("TLS_CHACHA20_");
    }

    private static void warnUnusableSuites(WebConfig.Tls tls) {
        try {
            SSLContext probe = SSLContext.getInstance("TLS");
            probe.init(null, null, null);
            List<String> enabled = Arrays.asList(probe.getDefaultSSLParameters().getCipherSuites());
            List<String> unusable = tls.cipherSuites().stream().filter(s -> !isTls13Suite(s) && !enabled.contains(s)).toList();
            if (!unusable.isEmpty()) {
                LOG.warn("tls_server_config.cipher_suites: this Java runtime does not offer {} (jdk.tls.disabledAlgorithms); the others apply",
                        String.join(", ", unusable));
            }
        } catch (GeneralSecurityException e) {
            // reported when the real context is made
        }
    }

    private static java.lang.reflect.Method namedGroupsMethod() {
        try {
            return SSLParameters.class.getMethod("setNamedGroups", String[].class); // Java 20+
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /**
     * Serves the certificate and key of the config as it is at each handshake. JSSE asks for an
     * alias, then for its chain and key: the alias names the config it was chosen from, so a
     * certificate renewed in between never pairs the old key with the new chain (and the files
     * are looked at once per handshake, not three times).
     */
    static final class LiveKeyManager extends X509ExtendedKeyManager {
        private final LiveWebConfig web;
        private long generation; // guarded by this
        private volatile Served latest;
        private volatile Served previous; // for a handshake that chose just before a renewal

        private record Served(String alias, WebConfig.Tls tls, X509Certificate[] chain) {
        }

        LiveKeyManager(LiveWebConfig web) {
            this.web = web;
        }

        private synchronized Served served(WebConfig.Tls tls) {
            Served s = latest;
            if (s == null || s.tls() != tls) {
                previous = s;
                s = new Served(ALIAS + "-" + generation++, tls, tls.chain().toArray(X509Certificate[]::new));
                latest = s;
            }
            return s;
        }

        private Served byAlias(String alias) {
            for (Served s : new Served[]{latest, previous}) {
                if (s != null && s.alias().equals(alias)) {
                    return s;
                }
            }
            return null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            WebConfig.Tls tls = web.current().tls();
            return tls != null && matches(keyType, tls.key()) ? served(tls).alias() : null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return chooseEngineServerAlias(keyType, issuers, null);
        }

        private static boolean matches(String keyType, PrivateKey key) {
            String a = key.getAlgorithm();
            return keyType.equals(a) || keyType.equals("EdDSA") && a.equals("Ed25519") || keyType.equals("Ed25519") && a.equals("EdDSA");
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            Served s = byAlias(alias);
            return s == null ? null : s.chain().clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            Served s = byAlias(alias);
            return s == null ? null : s.tls().key();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            String alias = chooseEngineServerAlias(keyType, issuers, null);
            return alias == null ? null : new String[]{alias};
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    /**
     * Checks client certificates by the config of the moment: against its client CAs when the
     * policy verifies (the runtime's trusted CAs when none is given, as Go uses the system's),
     * not at all for RequestClientCert and RequireAnyClientCert; then, with client_allowed_sans,
     * the certificate must carry one of them (DNS name, e-mail, IP address or URI, exactly as written).
     */
    private static final class LiveTrustManager extends X509ExtendedTrustManager {
        private final LiveWebConfig web;
        private final Map<WebConfig.Tls, X509TrustManager> verifiers = new WeakHashMap<>(); // guarded by itself

        LiveTrustManager(LiveWebConfig web) {
            this.web = web;
        }

        private void check(X509Certificate[] chain, String authType) throws CertificateException {
            WebConfig.Tls tls = web.current().tls();
            if (tls == null) {
                throw new CertificateException("TLS is off");
            }
            if (tls.clientAuth().verifies()) {
                verifier(tls).checkClientTrusted(chain, authType);
            }
            if (!tls.clientAllowedSans().isEmpty() && (chain == null || chain.length == 0 || !hasAllowedSan(chain[0], tls.clientAllowedSans()))) {
                throw new CertificateException("the client certificate carries none of client_allowed_sans");
            }
        }

        private X509TrustManager verifier(WebConfig.Tls tls) throws CertificateException {
            synchronized (verifiers) {
                X509TrustManager v = verifiers.get(tls);
                if (v == null) {
                    try {
                        KeyStore store = null;
                        if (!tls.clientCas().isEmpty()) {
                            store = KeyStore.getInstance("PKCS12");
                            store.load(null, null);
                            int i = 0;
                            for (java.security.cert.Certificate ca : tls.clientCas()) {
                                store.setCertificateEntry("client-ca-" + i++, ca);
                            }
                        }
                        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                        f.init(store);
                        v = (X509TrustManager) f.getTrustManagers()[0];
                    } catch (GeneralSecurityException | java.io.IOException e) {
                        throw new CertificateException("client CAs unusable: " + e.getMessage());
                    }
                    verifiers.put(tls, v);
                }
                return v;
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a server does not check servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a server does not check servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a server does not check servers");
        }

        /** The CAs named in the certificate request: the client CAs when the policy verifies. */
        @Override
        public X509Certificate[] getAcceptedIssuers() {
            WebConfig.Tls tls = web.current().tls();
            if (tls == null || !tls.clientAuth().verifies()) {
                return new X509Certificate[0];
            }
            try {
                return verifier(tls).getAcceptedIssuers();
            } catch (CertificateException e) {
                return new X509Certificate[0];
            }
        }
    }

    /** Go's check: the DNS names, e-mails, IPs (Go's text form) and URIs of the certificate, against the list. */
    static boolean hasAllowedSan(X509Certificate cert, List<String> allowed) {
        Collection<List<?>> names;
        try {
            names = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (names == null) {
            return false;
        }
        for (List<?> name : names) {
            int type = (Integer) name.get(0);
            Object value = name.get(1);
            String text = switch (type) {
                case 1, 2, 6 -> value instanceof String s ? s : null; // rfc822Name, dNSName, URI
                case 7 -> value instanceof String s ? goIp(s) : null; // iPAddress
                default -> null;
            };
            if (text != null && allowed.contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** An IP as Go's net.IP.String() writes it: dotted IPv4 (IPv4-mapped too), RFC 5952 IPv6. */
    static String goIp(String javaText) {
        try {
            byte[] b = InetAddress.getByName(javaText).getAddress(); // a literal: no lookup
            if (b.length == 4) {
                return InetAddress.getByAddress(b).getHostAddress();
            }
            int[] g = new int[8];
            for (int i = 0; i < 8; i++) {
                g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
            }
            int bestStart = -1;
            int bestLen = 1;
            for (int i = 0; i < 8; ) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j == i ? i + 1 : j;
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                if (i == bestStart) {
                    out.append("::");
                    i += bestLen - 1;
                    continue;
                }
                if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                    out.append(':');
                }
                out.append(Integer.toHexString(g[i]));
            }
            return out.toString();
        } catch (java.net.UnknownHostException e) {
            return javaText;
        }
    }
}
