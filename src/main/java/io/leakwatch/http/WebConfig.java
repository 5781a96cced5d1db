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
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --web.config.file} in Prometheus exporter-toolkit format: TLS ({@code tls_server_config})
 * and basic authentication ({@code basic_auth_users} with bcrypt hashes). Unknown keys are errors,
 * as in exporter-toolkit, so a typo never silently turns security off. Relative file names are
 * resolved against the config file's folder, as exporter-toolkit does.
 *
 * @param tls   null: plain HTTP
 * @param users user name -> bcrypt hash; empty: no authentication
 */
public record WebConfig(Tls tls, Map<String, String> users) {
    public static final Flag FILE = Flag.path("web.config.file", "",
            "TLS and basic authentication, in Prometheus exporter-toolkit's web config format.");
    public static final List<Flag> FLAGS = List.of(FILE);

    public static final WebConfig NONE = new WebConfig(null, Map.of());

    /** How client certificates are treated (exporter-toolkit / Go crypto/tls names). */
    public enum ClientAuth { NO_CLIENT_CERT, VERIFY_CLIENT_CERT_IF_GIVEN, REQUIRE_AND_VERIFY_CLIENT_CERT }

    /**
     * @param minVersion JSSE protocol name, e.g. "TLSv1.2"
     * @param maxVersion JSSE protocol name, or null for the JVM's newest
     * @param chain      the certificates of cert_file, read and checked against the key
     * @param key        the private key of key_file
     * @param clientCas  the certificates of client_ca_file (empty without one)
     */
    public record Tls(Path certFile, Path keyFile, ClientAuth clientAuth, Path clientCaFile,
                      String minVersion, String maxVersion, List<Certificate> chain, PrivateKey key,
                      List<Certificate> clientCas) {
    }

    /** bcrypt defines costs 4 to 31; a hash outside cannot be checked. */
    static final int MIN_BCRYPT_COST = 4;
    static final int MAX_BCRYPT_COST = 31;
    private static final Set<String> TOP_KEYS = Set.of("tls_server_config", "basic_auth_users", "http_server_config");
    private static final Set<String> TLS_KEYS = Set.of("cert_file", "key_file", "client_auth_type", "client_ca_file",
            "min_version", "max_version");
    private static final Map<String, String> VERSIONS = Map.of(
            "TLS10", "TLSv1", "TLS11", "TLSv1.1", "TLS12", "TLSv1.2", "TLS13", "TLSv1.3");
    private static final List<String> ORDERED_VERSIONS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

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
    static WebConfig load(Path file) {
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
            LoadSettings settings = LoadSettings.builder().setMaxAliasesForCollections(10).build();
            String tooDeep = ConfigText.yamlTooDeep(text, settings);
            if (tooDeep != null) {
                throw new IllegalArgumentException(prefix + "the file is " + tooDeep);
            }
            root = new Load(settings).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(prefix + "invalid YAML: " + oneLine(e.getMessage()));
        }
        try {
            return parse(root, file.toAbsolutePath().getParent());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + e.getMessage());
        }
    }

    static WebConfig parse(Object root, Path baseDir) {
        if (root == null) {
            return NONE; // an empty file: exporter-toolkit serves plain HTTP without auth too
        }
        Map<String, Object> top = map(root, "top level");
        rejectUnknown(top, TOP_KEYS, "");
        Tls tls = top.get("tls_server_config") == null ? null
                : tls(map(top.get("tls_server_config"), "tls_server_config"), baseDir);
        Map<String, String> users = new LinkedHashMap<>();
        if (top.get("basic_auth_users") != null) {
            for (Map.Entry<String, Object> e : map(top.get("basic_auth_users"), "basic_auth_users").entrySet()) {
                if (!(e.getValue() instanceof String hash) || bcryptCost(hash) < 0) {
                    throw new IllegalArgumentException("basic_auth_users." + CommandLine.printable(e.getKey())
                            + ": not a bcrypt hash (expected $2a$/$2b$/$2y$..., e.g. from htpasswd -nBC 10)");
                }
                int cost = bcryptCost(hash);
                if (cost < MIN_BCRYPT_COST || cost > MAX_BCRYPT_COST) {
                    throw new IllegalArgumentException("basic_auth_users." + CommandLine.printable(e.getKey())
                            + ": bcrypt cost " + cost + " is outside " + MIN_BCRYPT_COST + "-" + MAX_BCRYPT_COST
                            + " (bcrypt cannot check it; 10 to 12 is usual, e.g. htpasswd -nBC 10)");
                }
                if (e.getKey().isEmpty() || e.getKey().contains(":")) {
                    throw new IllegalArgumentException("basic_auth_users: user name '" + CommandLine.printable(e.getKey())
                            + "' must be non-empty and contain no ':'");
                }
                users.put(e.getKey(), hash);
            }
        }
        if (top.get("http_server_config") != null) {
            Map<String, Object> http = map(top.get("http_server_config"), "http_server_config");
            if (!http.isEmpty()) {
                throw new IllegalArgumentException("http_server_config: not supported by leakwatch (found '"
                        + CommandLine.printable(String.join(", ", http.keySet())) + "'); remove it");
            }
        }
        return new WebConfig(tls, Map.copyOf(users));
    }

    private static Tls tls(Map<String, Object> m, Path baseDir) {
        rejectUnknown(m, TLS_KEYS, "tls_server_config.");
        Path cert = file(m, "cert_file", baseDir);
        Path key = file(m, "key_file", baseDir);
        if (cert == null || key == null) {
            throw new IllegalArgumentException("tls_server_config: cert_file and key_file are both required");
        }
        String authText = string(m, "client_auth_type", "NoClientCert");
        ClientAuth auth = switch (authText) {
            case "", "NoClientCert" -> ClientAuth.NO_CLIENT_CERT;
            case "VerifyClientCertIfGiven" -> ClientAuth.VERIFY_CLIENT_CERT_IF_GIVEN;
            case "RequireAndVerifyClientCert" -> ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT;
            case "RequestClientCert", "RequireAnyClientCert" -> throw new IllegalArgumentException(
                    "tls_server_config.client_auth_type: " + authText + " (client certificates not verified) is not supported;"
                            + " use VerifyClientCertIfGiven or RequireAndVerifyClientCert with client_ca_file");
            default -> throw new IllegalArgumentException("tls_server_config.client_auth_type: '" + CommandLine.printable(authText)
                    + "' is not one of NoClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert");
        };
        Path ca = file(m, "client_ca_file", baseDir);
        if (auth != ClientAuth.NO_CLIENT_CERT && ca == null) {
            throw new IllegalArgumentException("tls_server_config: client_auth_type " + authText + " needs client_ca_file");
        }
        if (auth == ClientAuth.NO_CLIENT_CERT && ca != null) {
            throw new IllegalArgumentException("tls_server_config: client_ca_file is set but client_auth_type is NoClientCert;"
                    + " set client_auth_type to RequireAndVerifyClientCert or VerifyClientCertIfGiven");
        }
        String min = version(m, "min_version", "TLS12");
        String max = m.get("max_version") == null ? null : version(m, "max_version", null);
        if (max != null && ORDERED_VERSIONS.indexOf(max) < ORDERED_VERSIONS.indexOf(min)) {
            throw new IllegalArgumentException("tls_server_config: max_version is older than min_version");
        }
        List<Certificate> chain = PemFiles.certificates(cert, "cert_file");
        PrivateKey privateKey = PemFiles.privateKey(key);
        if (!PemFiles.matches(privateKey, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException("tls_server_config: key_file " + key
                    + " is not the private key of the first certificate in cert_file " + cert);
        }
        List<Certificate> clientCas = ca == null ? List.of() : PemFiles.certificates(ca, "client_ca_file");
        return new Tls(cert, key, auth, ca, min, max, chain, privateKey, clientCas);
    }

    /** The cost of a bcrypt hash ({@code $2b$10$...} -> 10), or -1 when it is not one. */
    public static int bcryptCost(String hash) {
        if (hash == null || !hash.matches("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
            return -1;
        }
        int second = hash.indexOf('$', 1);
        return Integer.parseInt(hash.substring(second + 1, second + 3));
    }

    private static String version(Map<String, Object> m, String key, String defaultValue) {
        String text = string(m, key, defaultValue);
        String jsse = VERSIONS.get(text);
        if (jsse == null) {
            throw new IllegalArgumentException("tls_server_config." + key + ": '" + CommandLine.printable(text)
                    + "' is not one of TLS10, TLS11, TLS12, TLS13");
        }
        List<String> usable = usableProtocols();
        if (!usable.contains(jsse)) {
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
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(key + ": expected a string, got " + v.getClass().getSimpleName());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v, String where) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + ": expected a mapping");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw new IllegalArgumentException(where + ": key '" + CommandLine.printable(String.valueOf(k)) + "' is not a string");
            }
        }
        return (Map<String, Object>) m;
    }

    private static void rejectUnknown(Map<String, Object> m, Set<String> known, String prefix) {
        for (String key : m.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + prefix + CommandLine.printable(key)
                        + "' (leakwatch knows " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }
}
