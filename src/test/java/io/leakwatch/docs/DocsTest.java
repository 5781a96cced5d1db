package io.leakwatch.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README is the front door and docs/ holds the rest: the README stays short and links every
 * page, every metric the code has is documented, links between pages resolve, and what users read
 * uses words they know.
 */
class DocsTest {
    private static final Path README = Path.of("README.md");
    private static final Path DOCS = Path.of("docs");

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + p.toAbsolutePath(), e);
        }
    }

    private static List<Path> pages() throws IOException {
        try (Stream<Path> s = Files.list(DOCS)) {
            return s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
    }

    @Test
    void theReadmeIsShortAndLinksEveryPage() throws IOException {
        String readme = read(README);
        long lines = readme.lines().count();
        assertTrue(lines <= 220, "README.md has " + lines + " lines; move detail to docs/");
        for (Path page : pages()) {
            assertTrue(readme.contains("(docs/" + page.getFileName() + ")"), "README does not link docs/" + page.getFileName());
        }
    }

    @Test
    void everyProcessMetricIsDocumented() {
        String table = read(Path.of("src/main/java/io/leakwatch/metrics/ProcessMetricTable.java"));
        String metrics = read(DOCS.resolve("metrics.md"));
        Matcher m = Pattern.compile("(?:single|labelled)\\(\"([a-z_]+)\", (GAUGE|COUNTER)").matcher(table);
        int found = 0;
        while (m.find()) {
            String name = "windows_process_" + m.group(1) + (m.group(2).equals("COUNTER") ? "_total" : "");
            assertTrue(metrics.contains("`" + name + "`"), "docs/metrics.md lacks " + name);
            found++;
        }
        assertTrue(found >= 15, "parsed the metric table (" + found + ")");
    }

    @Test
    void relativeLinksResolve() throws IOException {
        List<String> broken = new ArrayList<>();
        List<Path> all = new ArrayList<>(pages());
        all.add(README);
        Pattern link = Pattern.compile("\\]\\(([^)#\\s]+)(?:#[^)]*)?\\)");
        for (Path page : all) {
            Matcher m = link.matcher(read(page));
            while (m.find()) {
                String target = m.group(1);
                if (target.contains("://") || target.startsWith("mailto:")) {
                    continue;
                }
                if (!Files.exists(page.toAbsolutePath().getParent().resolve(target))) {
                    broken.add(page + " -> " + target);
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void userFacingTextSpeaksTheUsersWords() throws IOException {
        Pattern internal = Pattern.compile("(?i)\\bthe seed\\b|\\bseed's\\b|\\bissue #?\\d+\\b|compat\\.md");
        List<String> found = new ArrayList<>();
        List<Path> all = new ArrayList<>(pages());
        all.add(README);
        for (Path page : all) {
            int n = 0;
            for (String line : read(page).split("\n")) {
                n++;
                if (internal.matcher(line).find()) {
                    found.add(page + ":" + n + ": " + line.strip());
                }
            }
        }
        assertEquals(List.of(), found);
    }
}
