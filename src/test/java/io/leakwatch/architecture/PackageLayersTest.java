package io.leakwatch.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers of src/main, read from the imports: each package may use only the packages listed
 * for it here, so nothing points upwards and there is no cycle. A new package must be added to the
 * table (which is what makes its place in the design a decision, not an accident).
 */
class PackageLayersTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final String ROOT = "io.leakwatch";

    /** Package (relative to io.leakwatch; "" is the root) -> packages it may import. Lowest first. */
    static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

    static {
        allow("common");
        allow("config", "common");
        allow("model", "common");
        allow("logging", "config", "common");
        allow("backend.linux", "model", "common");
        allow("backend.windows", "model", "common");
        allow("backend", "backend.linux", "backend.windows", "config", "model", "common");
        allow("guard", "config", "model", "common");
        allow("metrics", "model", "common");
        allow("leak", "metrics", "config", "model", "common");
        allow("http", "metrics", "config", "model", "common");
        allow("service", "logging", "config", "common");
        allow("", "service", "http", "leak", "metrics", "guard", "backend", "logging", "config", "model", "common");
    }

    private static void allow(String pkg, String... uses) {
        ALLOWED.put(pkg, Set.of(uses));
    }

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?(io\\.leakwatch\\.[\\w.]+);", Pattern.MULTILINE);
    /** io.leakwatch.x.Y written in code rather than imported hides an edge from readers (and from this test). */
    private static final Pattern INLINE = Pattern.compile("io\\.leakwatch\\.[a-z.]*[A-Z]\\w*");

    private record Source(Path file, String pkg, List<String> imports, List<String> inlineNames) {
    }

    private static List<Source> sources() throws IOException {
        List<Source> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                Matcher p = PACKAGE.matcher(text);
                assertTrue(p.find(), "no package in " + f);
                List<String> imports = new ArrayList<>();
                Matcher i = IMPORT.matcher(text);
                while (i.find()) {
                    imports.add(i.group(1));
                }
                List<String> inline = new ArrayList<>();
                for (String line : text.split("\n")) {
                    if (line.startsWith("import ") || line.startsWith("package ")) {
                        continue;
                    }
                    Matcher m = INLINE.matcher(line);
                    while (m.find()) {
                        inline.add(m.group());
                    }
                }
                out.add(new Source(f, relative(p.group(1)), imports, inline));
            }
        }
        return out;
    }

    private static String relative(String pkg) {
        return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
    }

    /** The package of an imported name: everything before the first capitalised segment. */
    private static String packageOf(String imported) {
        List<String> parts = new ArrayList<>();
        for (String part : imported.split("\\.")) {
            if (Character.isUpperCase(part.charAt(0))) {
                break;
            }
            parts.add(part);
        }
        return relative(String.join(".", parts));
    }

    @Test
    void everyImportGoesDownTheLayers() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Source s : sources()) {
            Set<String> allowed = ALLOWED.get(s.pkg());
            if (allowed == null) {
                problems.add(s.file() + ": package '" + s.pkg() + "' has no place in PackageLayersTest.ALLOWED");
                continue;
            }
            for (String imported : s.imports()) {
                String target = packageOf(imported);
                if (!target.equals(s.pkg()) && !allowed.contains(target)) {
                    problems.add(s.file() + ": '" + display(s.pkg()) + "' may not import " + imported);
                }
            }
        }
        assertEquals(List.of(), problems, graph());
    }

    @Test
    void noProjectNameIsWrittenInlineInsteadOfImported() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Source s : sources()) {
            s.inlineNames().forEach(n -> problems.add(s.file() + ": " + n));
        }
        assertEquals(List.of(), problems, "import these instead");
    }

    @Test
    void theTableItselfHasNoCycle() {
        Map<String, Integer> state = new HashMap<>();
        for (String pkg : ALLOWED.keySet()) {
            assertNoCycle(pkg, state, new ArrayList<>());
        }
    }

    @Test
    void thePackagesInUseAreExactlyTheTable() throws IOException {
        Set<String> used = new TreeSet<>();
        for (Source s : sources()) {
            used.add(s.pkg());
        }
        assertEquals(new TreeSet<>(ALLOWED.keySet()), used, "remove table entries for packages that no longer exist");
    }

    /** Which package imports which, as the code stands: shown when a layer test fails. */
    private static String graph() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Source s : sources()) {
            Set<String> targets = graph.computeIfAbsent(display(s.pkg()), k -> new TreeSet<>());
            for (String imported : s.imports()) {
                String t = packageOf(imported);
                if (!t.equals(s.pkg())) {
                    targets.add(display(t));
                }
            }
        }
        StringBuilder b = new StringBuilder("\nimports as the code stands:");
        graph.forEach((k, v) -> b.append("\n  ").append(k).append(" -> ").append(v));
        return b.toString();
    }

    private static void assertNoCycle(String pkg, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(pkg);
        if (s != null && s == 2) {
            return;
        }
        path.add(pkg);
        assertTrue(s == null, "cycle: " + String.join(" -> ", path));
        state.put(pkg, 1);
        for (String next : ALLOWED.getOrDefault(pkg, new HashSet<>())) {
            assertNoCycle(next, state, path);
        }
        state.put(pkg, 2);
        path.remove(path.size() - 1);
    }

    private static String display(String pkg) {
        return pkg.isEmpty() ? "io.leakwatch" : pkg;
    }
}
