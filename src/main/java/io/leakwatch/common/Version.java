package io.leakwatch.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;

/**
 * The build Maven stamped into build.properties, with the fields Prometheus' Go builds carry (what
 * windows_exporter serves on /version and in windows_exporter_build_info). A build outside a git
 * checkout has no revision or branch: "unknown", as Go says when it has none.
 */
public final class Version {
    private static final Properties BUILD = load();

    public static final String VERSION = field("version");
    /** The git commit, with "-modified" when the tree had changes (as Go's version package marks it). */
    public static final String REVISION = field("revision").equals("unknown") || !"true".equals(BUILD.getProperty("dirty"))
            ? field("revision") : field("revision") + "-modified";
    public static final String BRANCH = field("branch");
    public static final String BUILD_USER = field("buildUser");
    /** UTC, as {@code 20260807-10:00:00}. */
    public static final String BUILD_DATE = field("buildDate");

    private Version() {
    }

    /** The Java runtime in the shape of Go's runtime version ("go1.24.4"): "java17.0.12". */
    public static String runtime() {
        return "java" + System.getProperty("java.version", "");
    }

    /** This operating system as Go's GOOS names it: windows, linux, darwin, freebsd, ... */
    public static String goos() {
        return goos(System.getProperty("os.name", ""));
    }

    /** @param osName Java's os.name */
    static String goos(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return "windows";
        }
        if (os.startsWith("mac")) {
            return "darwin";
        }
        return os.replace(" ", "");
    }

    /** This CPU architecture as Go's GOARCH names it: amd64, arm64, 386, ... */
    public static String goarch() {
        return goarch(System.getProperty("os.arch", ""));
    }

    /** @param osArch Java's os.arch */
    static String goarch(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "386";
            default -> arch;
        };
    }

    private static String field(String name) {
        String value = BUILD.getProperty(name, "");
        // empty, or a placeholder Maven did not fill (a build that skipped the git step)
        return value.isBlank() || value.startsWith("${") ? "unknown" : value;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // every field says "unknown"
        }
        return p;
    }
}
