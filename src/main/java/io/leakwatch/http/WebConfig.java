package io.leakwatch.http;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigText;
import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --web.config.file} in Prometheus exporter-toolkit's format, every key of its current
 * release with its meaning: {@code tls_server_config} (certificate and key as files or inline,
 * client certificates, SANs, versions, cipher suites, curves), {@code http_server_config}
 * ({@code http2}, {@code headers}), {@code basic_auth_users} (bcrypt) and {@code rate_limit}.
 * Unknown keys, duplicate keys and values of the wrong type are errors, as in exporter-toolkit
 * (which reads the file strictly), so a typo never silently turns security off. Relative file
 * names are resolved against the config file's folder. A scalar where a string is expected is
 * taken as its text, as Go's YAML reader does.
 *
 * @param file      the file read, or null for {@link #NONE}
 * @param tls       null: plain HTTP
 * @param http      http_server_config
 * @param users     user name -> bcrypt hash; empty: no authentication
 * @param rateLimit rate_limit ({@link RateLimit#OFF} when absent)
 */
public record WebConfig(Path file, Tls tls, Http http, Map<String, String> users, RateLimit rateLimit) {
    public static final Flag FILE = Flag.path("web.config.file", "",
            "TLS, basic authentication, response headers and a rate limit, in Prometheus exporter-toolkit's web config"
                    + " format; read again when it changes.");
    public static final List<Flag> FLAGS = List.of(FILE);

    public static final WebConfig NONE = new WebConfig(null, null, Http.DEFAULT, Map.of(), RateLimit.OFF);

    /** How client certificates are treated: Go crypto/tls's ClientAuthType, by exporter-toolkit's names. */
    public enum ClientAuth {
        NO_CLIENT_CERT, REQUEST_CLIENT_CERT, REQUIRE_ANY_CLIENT_CERT, VERIFY_CLIENT_CERT_IF_GIVEN, REQUIRE_AND_VERIFY_CLIENT_CERT;

        /** A certificate is checked against the client CAs when given. */
        public boolean verifies() {
            return this == VERIFY_CLIENT_CERT_IF_GIVEN || this == REQUIRE_AND_VERIFY_CLIENT_CERT;
        }

        /** A client without a certificate is refused. */
        public boolean requires() {
            return this == REQUIRE_ANY_CLIENT_CERT || this == REQUIRE_AND_VERIFY_CLIENT_CERT;
        }
    }

    /**
     * @param files            the files named (cert_file, key_file, client_ca_file), to notice changes
     * @param minVersion       JSSE protocol name, e.g. "TLSv1.2"
     * @param maxVersion       JSSE protocol name
     * @param cipherSuites     TLS 1.2 and older suites in preference order (IANA names); empty: the runtime's defaults
     * @param curves           JSSE named groups in preference order; empty: the runtime's defaults
     * @param preferServerCipherSuites the server's order of cipher_suites wins
     * @param clientAllowedSans a client certificate must carry one of these SANs (empty: any)
     * @param chain            the certificates of cert_file or cert, read and checked against the key
     * @param key              the private key of key_file or key
     * @param clientCas        the certificates of client_ca_file or client_ca (empty: the runtime's trusted CAs)
     */
    public record Tls(List<Path> files, ClientAuth clientAuth, String minVersion, String maxVersion, List<String> cipherSuites,
                      List<String> curves, boolean preferServerCipherSuites, List<String> clientAllowedSans,
                      List<Certificate> chain, PrivateKey key, List<Certificate> clientCas) {
    }

    /**
     * @param http2   http2 as written (HTTP/2 allowed); leakwatch serves HTTP/1.1 either way
     * @param headers the response headers to add, by exporter-toolkit's names
     */
    public record Http(boolean http2, Map<String, String> headers) {
        public static final Http DEFAULT = new Http(true, Map.of());
    }

    /** A token bucket over all requests: one more every {@code interval}, up to {@code burst}; a zero interval is off. */
    public record RateLimit(Duration interval, int burst) {
        public static final RateLimit OFF = new RateLimit(Duration.ZERO, 0);

        public boolean on() {
            return !interval.isZero();
        }
    }

    /** The files whose change means the config must be read again: the file itself and those it names. */
    public List<Path> watchedFiles() {
        List<Path> out = new ArrayList<>();
        if (file != null) {
            out.add(file);
        }
        if (tls != null) {
            out.addAll(tls.files());
        }
        return out;
    }

    /** The costliest configured hash: an unknown user is checked against it, so names cannot be told by timing. */
    public String decoyHash() {
        return users.values().stream().max(Comparator.comparingInt(WebConfig::bcryptCost)).orElse(DECOY_HASH);
    }

    /** exporter-toolkit's decoy: a cost-10 hash of "fakepassword". */
    private static final String DECOY_HASH = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

    /** bcrypt defines costs 4 to 31 (and exporter-toolkit takes all of them). */
    static final int MIN_BCRYPT_COST = 4;
    /**
     * The costliest hash leakwatch takes: each step doubles a check, and 18 is already about 20 s
     * of CPU here, past any scrape timeout; exporter-toolkit's own guide calls 18 "up to a few
     * seconds". Cost 31 would take days for each new password, with every other check waiting.
     */
    static final int MAX_BCRYPT_COST = 18;
    private static final Set<String> TOP_KEYS = Set.of("tls_server_config", "http_server_config", "basic_auth_users", "rate_limit");
    private static final Set<String> TLS_KEYS = Set.of("cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type",
            "client_ca_file", "client_allowed_sans", "min_version", "max_version", "cipher_suites", "prefer_server_cipher_suites",
            "curve_preferences");
    private static final Set<String> HTTP_KEYS = Set.of("http2", "headers");
    private static final Set<String> RATE_KEYS = Set.of("interval", "burst");
    /** exporter-toolkit's headers, with the values it accepts (empty: any). */
    private static final Map<String, List<String>> HEADERS = Map.of(
            "Strict-Transport-Security", List.of(),
            "X-Content-Type-Options", List.of("nosniff"),
            "X-Frame-Options", List.of("deny", "sameorigin"),
            "X-XSS-Protection", List.of(),
            "Content-Security-Policy", List.of());
    private static final Map<String, String> VERSIONS = Map.of(
            "TLS10", "TLSv1", "TLS11", "TLSv1.1", "TLS12", "TLSv1.2", "TLS13", "TLSv1.3");
    private static final List<String> ORDERED_VERSIONS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    /** Go's curve names (exporter-toolkit's list) -> JSSE named groups. */
    private static final Map<String, String> CURVES = Map.of(
            "CurveP256", "secp256r1", "CurveP384", "secp384r1", "CurveP521", "secp521r1", "X25519", "x25519");
    /** Go's tls.CipherSuites(): the suites exporter-toolkit accepts (IANA names, as JSSE names them too). */
    static final List<String> GO_CIPHER_SUITES = List.of(
            "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    /** A bcrypt hash: checked for every unknown user's request (the decoy is the costliest hash), so compiled once. */
    private static final Pattern BCRYPT_HASH = Pattern.compile("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

    public static WebConfig from(ConfigValues c) throws UsageException {
        String file = c.string(FILE).trim();
        if (file.isEmpty()) {
            return NONE;
        }
        try {
            return load(Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Reads the file and the certificate and key files it names.
     *
     * @throws IllegalArgumentException one line naming the file and what is wrong
     */
    public static WebConfig load(Path file) {
        String prefix = "--web.config.file " + file + ": ";
        String text;
        try {
            text = ConfigText.read(file);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(prefix + "cannot read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        Object root;
        try {
            LoadSettings settings = LoadSettings.builder().setMaxAliasesForCollections(10).setAllowDuplicateKeys(false).build();
            String tooDeep = ConfigText.yamlTooDeep(text, settings);
            if (tooDeep != null) {
                throw new IllegalArgumentException(prefix + "the file is " + tooDeep);
            }
            root = new Load(settings).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(prefix + "invalid YAML: " + oneLine(e.getMessage()));
        }
        try {
            return parse(root, file, file.toAbsolutePath().getParent());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + e.getMessage());
        }
    }

    static WebConfig parse(Object root, Path file, Path baseDir) {
        if (root == null) {
            return new WebConfig(file, null, Http.DEFAULT, Map.of(), RateLimit.OFF); // an empty file: plain HTTP, no auth
        }
        Map<String, Object> top = map(root, "top level");
        rejectUnknown(top, TOP_KEYS, "");
        Tls tls = tls(top.get("tls_server_config") == null ? Map.of() : map(top.get("tls_server_config"), "tls_server_config"), baseDir);
        Http http = http(top.get("http_server_config") == null ? Map.of() : map(top.get("http_server_config"), "http_server_config"));
        RateLimit rate = rateLimit(top.get("rate_limit") == null ? Map.of() : map(top.get("rate_limit"), "rate_limit"));
        return new WebConfig(file, tls, http, users(top.get("basic_auth_users")), rate);
    }

    private static Map<String, String> users(Object value) {
        Map<String, String> users = new LinkedHashMap<>();
        if (value == null) {
            return Map.of();
        }
        for (Map.Entry<String, Object> e : map(value, "basic_auth_users").entrySet()) {
            String where = "basic_auth_users." + CommandLine.printable(e.getKey());
            String hash = scalar(e.getValue(), where);
            int cost = bcryptCost(hash);
            if (cost < 0) {
                throw new IllegalArgumentException(where + ": not a bcrypt hash (expected $2a$/$2b$/$2y$..., e.g. from htpasswd -nBC 10)");
            }
            if (cost < MIN_BCRYPT_COST || cost > MAX_BCRYPT_COST) {
                throw new IllegalArgumentException(where + ": bcrypt cost " + cost + " is outside " + MIN_BCRYPT_COST + "-"
                        + MAX_BCRYPT_COST + " (each step doubles the time of a check; 10 to 12 is usual, e.g. htpasswd -nBC 10)");
            }
            if (e.getKey().isEmpty() || e.getKey().contains(":")) {
                throw new IllegalArgumentException("basic_auth_users: user name '" + CommandLine.printable(e.getKey())
                        + "' must be non-empty and contain no ':'");
            }
            users.put(e.getKey(), hash);
        }
        return Map.copyOf(users);
    }

    private static Http http(Map<String, Object> m) {
        rejectUnknown(m, HTTP_KEYS, "http_server_config.");
        boolean http2 = bool(m.get("http2"), "http_server_config.http2", true);
        Map<String, String> headers = new LinkedHashMap<>();
        if (m.get("headers") != null) {
            for (Map.Entry<String, Object> e : map(m.get("headers"), "http_server_config.headers").entrySet()) {
                List<String> allowed = HEADERS.get(e.getKey());
                if (allowed == null) {
                    throw new IllegalArgumentException("http_server_config.headers: HTTP header '" + CommandLine.printable(e.getKey())
                            + "' can not be configured (exporter-toolkit allows " + String.join(", ", HEADERS.keySet().stream().sorted().toList()) + ")");
                }
                String v = e.getValue() == null ? "" : scalar(e.getValue(), "http_server_config.headers." + e.getKey());
                if (!allowed.isEmpty() && !allowed.contains(v)) {
                    throw new IllegalArgumentException("http_server_config.headers." + e.getKey() + ": '" + CommandLine.printable(v)
                            + "' is not one of " + String.join(", ", allowed));
                }
                if (v.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f) || v.length() > 4096) {
                    throw new IllegalArgumentException("http_server_config.headers." + e.getKey()
                            + ": a header value must be one line of at most 4096 characters");
                }
                if (!v.isEmpty()) {
                    headers.put(e.getKey(), v); // blank: unset, as in exporter-toolkit
                }
            }
        }
        return new Http(http2, Map.copyOf(headers));
    }

    private static RateLimit rateLimit(Map<String, Object> m) {
        rejectUnknown(m, RATE_KEYS, "rate_limit.");
        Duration interval = m.get("interval") == null ? Duration.ZERO : goDuration(m.get("interval"), "rate_limit.interval");
        long burst = m.get("burst") == null ? 0 : integer(m.get("burst"), "rate_limit.burst");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("rate_limit.interval: must not be negative (0 turns the limit off)");
        }
        if (burst < 0 || burst > 1_000_000) {
            throw new IllegalArgumentException("rate_limit.burst: " + burst + " is not a whole number from 0 to 1000000");
        }
        return interval.isZero() ? RateLimit.OFF : new RateLimit(interval, (int) burst);
    }

    private static Tls tls(Map<String, Object> m, Path baseDir) {
        rejectUnknown(m, TLS_KEYS, "tls_server_config.");
        Path certFile = file(m, "cert_file", baseDir);
        Path keyFile = file(m, "key_file", baseDir);
        Path caFile = file(m, "client_ca_file", baseDir);
        String certText = string(m, "cert", "");
        String keyText = string(m, "key", "");
        String caText = string(m, "client_ca", "");
        String authText = string(m, "client_auth_type", "");
        if (certFile == null && keyFile == null && caFile == null && certText.isEmpty() && keyText.isEmpty()
                && caText.isEmpty() && authText.isEmpty()) {
            return null; // exporter-toolkit serves plain HTTP when none of these is set
        }
        if (certFile == null && certText.isEmpty()) {
            throw new IllegalArgumentException("tls_server_config: missing one of cert or cert_file");
        }
        if (keyFile == null && keyText.isEmpty()) {
            throw new IllegalArgumentException("tls_server_config: missing one of key or key_file");
        }
        ClientAuth auth = switch (authText) {
            case "", "NoClientCert" -> ClientAuth.NO_CLIENT_CERT;
            case "RequestClientCert" -> ClientAuth.REQUEST_CLIENT_CERT;
            case "RequireAnyClientCert", "RequireClientCert" -> ClientAuth.REQUIRE_ANY_CLIENT_CERT;
            case "VerifyClientCertIfGiven" -> ClientAuth.VERIFY_CLIENT_CERT_IF_GIVEN;
            case "RequireAndVerifyClientCert" -> ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT;
            default -> throw new IllegalArgumentException("tls_server_config.client_auth_type: '" + CommandLine.printable(authText)
                    + "' is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven,"
                    + " RequireAndVerifyClientCert");
        };
        if ((caFile != null || !caText.isEmpty()) && auth == ClientAuth.NO_CLIENT_CERT) {
            throw new IllegalArgumentException("tls_server_config: client CAs are configured without a client_auth_type;"
                    + " set it to RequireAndVerifyClientCert or VerifyClientCertIfGiven");
        }
        String min = version(m, "min_version", "TLS12");
        String max = version(m, "max_version", "TLS13");
        if (ORDERED_VERSIONS.indexOf(max) < ORDERED_VERSIONS.indexOf(min)) {
            throw new IllegalArgumentException("tls_server_config: max_version is older than min_version");
        }
        List<String> ciphers = new ArrayList<>();
        for (String name : stringList(m, "cipher_suites")) {
            if (!GO_CIPHER_SUITES.contains(name)) {
                throw new IllegalArgumentException("tls_server_config.cipher_suites: unknown cipher '" + CommandLine.printable(name)
                        + "' (exporter-toolkit takes the names of Go's tls.CipherSuites(), e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
            }
            ciphers.add(name);
        }
        List<String> curves = new ArrayList<>();
        for (String name : stringList(m, "curve_preferences")) {
            String group = CURVES.get(name);
            if (group == null) {
                throw new IllegalArgumentException("tls_server_config.curve_preferences: unknown curve '" + CommandLine.printable(name)
                        + "' (one of CurveP256, CurveP384, CurveP521, X25519)");
            }
            curves.add(group);
        }
        boolean prefer = bool(m.get("prefer_server_cipher_suites"), "tls_server_config.prefer_server_cipher_suites", true);
        List<String> sans = stringList(m, "client_allowed_sans");
        List<Path> files = new ArrayList<>();
        // a file wins over the same thing inline, as in exporter-toolkit
        List<Certificate> chain = certFile != null ? PemFiles.certificates(certFile, "cert_file") : PemFiles.certificates(certText, "cert");
        PrivateKey key = keyFile != null ? PemFiles.privateKey(keyFile) : PemFiles.privateKey(keyText);
        if (!PemFiles.matches(key, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException("tls_server_config: the key is not the private key of the first certificate"
                    + (certFile != null ? " in cert_file " + certFile : " of cert"));
        }
        List<Certificate> cas = caFile != null ? PemFiles.certificates(caFile, "client_ca_file")
                : caText.isEmpty() ? List.of() : PemFiles.certificates(caText, "client_ca");
        for (Path p : new Path[]{certFile, keyFile, caFile}) {
            if (p != null) {
                files.add(p);
            }
        }
        return new Tls(List.copyOf(files), auth, min, max, List.copyOf(ciphers), List.copyOf(curves), prefer, List.copyOf(sans),
                chain, key, cas);
    }

    /** The cost of a bcrypt hash ({@code $2b$10$...} -> 10), or -1 when it is not one. */
    public static int bcryptCost(String hash) {
        if (hash == null || !BCRYPT_HASH.matcher(hash).matches()) {
            return -1;
        }
        int second = hash.indexOf('$', 1);
        return Integer.parseInt(hash.substring(second + 1, second + 3));
    }

    /**
     * A Go duration as Go's YAML reader takes it for a time.Duration: a string such as "1s",
     * "1m30s" or "250ms", or a whole number of nanoseconds.
     */
    public static Duration goDuration(Object value, String where) {
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return Duration.ofNanos(integer(value, where));
        }
        String text = scalar(value, where).trim();
        String rest = text;
        boolean negative = rest.startsWith("-");
        if (negative || rest.startsWith("+")) {
            rest = rest.substring(1);
        }
        if (rest.equals("0")) {
            return Duration.ZERO;
        }
        Matcher part = GO_DURATION_PART.matcher(rest);
        java.math.BigDecimal nanos = java.math.BigDecimal.ZERO;
        int at = 0;
        while (at < rest.length() && part.find(at) && part.start() == at) {
            java.math.BigDecimal n = new java.math.BigDecimal(part.group(1).endsWith(".") ? part.group(1) + "0"
                    : part.group(1).startsWith(".") ? "0" + part.group(1) : part.group(1));
            long unit = switch (part.group(2)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(n.multiply(java.math.BigDecimal.valueOf(unit)));
            at = part.end();
        }
        if (rest.isEmpty() || at != rest.length() || nanos.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(where + ": '" + CommandLine.printable(text)
                    + "' is not a duration such as 1s, 500ms or 1m30s");
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }

    private static String version(Map<String, Object> m, String key, String defaultValue) {
        String text = string(m, key, defaultValue);
        String jsse = VERSIONS.get(text.isEmpty() ? defaultValue : text);
        if (jsse == null) {
            throw new IllegalArgumentException("tls_server_config." + key + ": unknown TLS version '" + CommandLine.printable(text)
                    + "' (one of TLS10, TLS11, TLS12, TLS13)");
        }
        List<String> usable = usableProtocols();
        if (!usable.contains(jsse) && !(key.equals("max_version") && jsse.equals("TLSv1.3"))) {
            throw new IllegalArgumentException("tls_server_config." + key + ": " + text + " is disabled in this Java runtime"
                    + " (jdk.tls.disabledAlgorithms), so it would be silently ignored; usable: "
                    + String.join(", ", VERSIONS.entrySet().stream().filter(v -> usable.contains(v.getValue()))
                    .map(Map.Entry::getKey).sorted().toList()));
        }
        return jsse;
    }

    /** TLS versions this Java runtime will negotiate (its defaults leave out the disabled ones). */
    static List<String> usableProtocols() {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, null, null);
            return List.of(context.getDefaultSSLParameters().getProtocols());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("tls_server_config: this Java runtime has no TLS: " + e.getMessage());
        }
    }

    private static Path file(Map<String, Object> m, String key, Path baseDir) {
        String name = string(m, key, "");
        if (name.isEmpty()) {
            return null;
        }
        Path p = Path.of(name);
        return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
    }

    private static String string(Map<String, Object> m, String key, String defaultValue) {
        Object v = m.get(key);
        return v == null ? defaultValue : scalar(v, "tls_server_config." + key);
    }

    /** A scalar's text (Go's YAML reader takes 123 or true for a string too); a list or mapping is an error. */
    private static String scalar(Object v, String where) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Number || v instanceof Boolean) {
            return String.valueOf(v);
        }
        throw new IllegalArgumentException(where + ": expected a string, got " + kind(v));
    }

    private static List<String> stringList(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException("tls_server_config." + key + ": expected a list, got " + kind(v));
        }
        List<String> out = new ArrayList<>();
        for (Object item : list) {
            out.add(scalar(item, "tls_server_config." + key + " item"));
        }
        return out;
    }

    /** true/false, and the YAML 1.1 words Go's YAML reader also takes (yes/no, on/off). */
    private static boolean bool(Object v, String where, boolean defaultValue) {
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            switch (s) {
                case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON" -> {
                    return true;
                }
                case "n", "N", "no", "No", "NO", "off", "Off", "OFF" -> {
                    return false;
                }
                default -> { }
            }
        }
        throw new IllegalArgumentException(where + ": expected true or false, got " + kind(v));
    }

    private static long integer(Object v, String where) {
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger big && big.bitLength() < 63) {
            return big.longValue();
        }
        throw new IllegalArgumentException(where + ": expected a whole number, got " + kind(v));
    }

    private static String kind(Object v) {
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof String s) {
            return "'" + CommandLine.printable(s) + "'";
        }
        return v == null ? "nothing" : String.valueOf(v).length() > 40 ? v.getClass().getSimpleName() : CommandLine.printable(String.valueOf(v));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v, String where) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + ": expected a mapping, got " + kind(v));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object k = e.getKey();
            if (!(k instanceof String) && !(k instanceof Number) && !(k instanceof Boolean)) {
                throw new IllegalArgumentException(where + ": key '" + CommandLine.printable(String.valueOf(k)) + "' is not a string");
            }
            out.put(String.valueOf(k), e.getValue()); // Go's reader takes scalar keys as their text
        }
        return out;
    }

    private static void rejectUnknown(Map<String, Object> m, Set<String> known, String prefix) {
        for (String key : m.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + prefix + CommandLine.printable(key)
                        + "' (exporter-toolkit's keys here: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }
}
