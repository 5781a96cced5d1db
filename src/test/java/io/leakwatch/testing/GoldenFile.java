package io.leakwatch.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A checked-in expected output, compared byte for byte, like node_exporter's e2e-output.txt: any
 * change to names, labels, HELP, values or order shows up in review as a change to the file.
 * To accept a deliberate change, regenerate:
 * {@code mvn test -Dtest='*GoldenScrapeTest' -Dleakwatch.golden.update=true}, then review the diff.
 */
public final class GoldenFile {
    public static final String UPDATE_PROPERTY = "leakwatch.golden.update";
    private static final Path DIR = Path.of("src/test/resources/golden");

    /** Values that differ on every scrape or every release: replaced before comparing. */
    private static final Pattern DURATION = Pattern.compile(
            "^((?:windows_exporter_collector_duration_seconds|windows_exporter_scrape_duration_seconds)(?:\\{[^}]*\\})?) \\S+$",
            Pattern.MULTILINE);
    private static final Pattern VERSION = Pattern.compile("(leakwatch_build_info\\{[^}]*version=\")[^\"]*\"");
    /** windows_exporter_build_info's line: its labels name the build and the machine. */
    private static final Pattern BUILD_INFO_LINE = Pattern.compile("^windows_exporter_build_info\\{.*$", Pattern.MULTILINE);
    private static final Pattern BUILD_LABEL = Pattern.compile("(branch|goarch|goos|goversion|revision|version)=\"[^\"]*\"");

    private GoldenFile() {
    }

    /** The body with the per-scrape durations and the build (version, revision, platform) masked. */
    public static String normalize(String body) {
        String out = DURATION.matcher(body).replaceAll("$1 <duration>");
        out = VERSION.matcher(out).replaceAll("$1<version>\"");
        return BUILD_INFO_LINE.matcher(out).replaceAll(m -> Matcher.quoteReplacement(
                BUILD_LABEL.matcher(m.group()).replaceAll("$1=\"<$1>\"")));
    }

    public static void assertMatches(String name, String body) throws IOException {
        String actual = normalize(body);
        Path file = DIR.resolve(name);
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(DIR);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            System.out.println("golden file written: " + file);
            return;
        }
        // a checkout may have turned the file's LF into CRLF; the body itself must use LF, as the text format says
        String expected = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n") : "";
        assertEquals(expected, actual, "the scrape differs from " + file + "; if the change is intended, regenerate with "
                + "mvn test -Dtest='*GoldenScrapeTest' -D" + UPDATE_PROPERTY + "=true and review the diff");
    }
}
