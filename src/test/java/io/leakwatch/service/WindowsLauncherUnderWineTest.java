package io.leakwatch.service;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The zip's leakwatch.cmd run by a real cmd (Wine's), with a stand-in java.exe (built with MinGW)
 * that prints the arguments it gets: which Java it picks (a jre folder next to it first, as the
 * Kubernetes image has, then JAVA_HOME) and the command line that Java receives.
 */
@Tag("system")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WindowsLauncherUnderWineTest {
    private static final Path WINE = Path.of("/usr/lib/wine/wine64");
    private static final Path WINESERVER = Path.of("/usr/lib/wine/wineserver64");
    private static final String MINGW = "x86_64-w64-mingw32-gcc";

    @TempDir
    static Path work;
    private static Path prefix;

    @BeforeAll
    static void buildStandInJava() throws Exception {
        boolean mingw = List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                .anyMatch(d -> Files.isExecutable(Path.of(d, MINGW)));
        if (!Files.isExecutable(WINE) || !mingw) {
            String reason = "not installed: wine64 or gcc-mingw-w64-x86-64 (Debian packages; .ci/run installs them)";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            System.out.println("SKIPPED Windows launcher under Wine: " + reason);
            Assumptions.abort(reason);
        }
        Path source = work.resolve("java.c");
        Files.writeString(source, "#include <stdio.h>\nint main(int argc, char **argv) {\n"
                + "  for (int i = 0; i < argc; i++) printf(\"ARG[%s]\\n\", argv[i]);\n  return 0;\n}\n");
        run(List.of(MINGW, "-o", work.resolve("java.exe").toString(), source.toString()), Map.of(), 120);
        prefix = work.resolve("wine-prefix");
    }

    @AfterAll
    static void stopWineServer() throws Exception {
        if (prefix != null) {
            run(List.of(WINESERVER.toString(), "-k"), Map.of("WINEPREFIX", prefix.toString()), 60);
        }
    }

    @Test
    void aJreNextToTheLauncherWinsAndGetsTheFlagsAndArguments() throws Exception {
        Path dir = unzippedLauncher("with-jre");
        Files.createDirectories(dir.resolve("jre/bin"));
        Files.copy(work.resolve("java.exe"), dir.resolve("jre/bin/java.exe"));
        Path javaHome = work.resolve("other-java");
        Files.createDirectories(javaHome.resolve("bin"));
        Files.copy(work.resolve("java.exe"), javaHome.resolve("bin/java.exe"));

        List<String> argv = launch(dir, Map.of("JAVA_HOME", windowsPath(javaHome), "LEAKWATCH_JAVA_OPTS", "-Xmx64m -XX:+UseSerialGC"),
                "--collectors.enabled", "process", "--collector.process.include=firefox.+");
        String home = windowsPath(dir) + "\\";
        List<String> expected = new ArrayList<>(List.of(home + "jre\\bin\\java.exe"));
        expected.addAll(ServiceDefinition.DEFAULT_JVM_OPTIONS); // the launchers' defaults, then the user's options
        expected.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-jar",
                home + "leakwatch.jar", "--collectors.enabled", "process", "--collector.process.include=firefox.+"));
        assertEquals(expected, argv);
    }

    /** JAVA_HOME set with quotes around a path with a space. */
    @Test
    void aQuotedJavaHomeGivesOneJavaPath() throws Exception {
        Path dir = unzippedLauncher("quoted-java-home");
        Path javaHome = work.resolve("quoted java");
        Files.createDirectories(javaHome.resolve("bin"));
        Files.copy(work.resolve("java.exe"), javaHome.resolve("bin/java.exe"));
        List<String> argv = launch(dir, Map.of("JAVA_HOME", "\"" + windowsPath(javaHome) + "\""), "--version");
        assertEquals(windowsPath(javaHome) + "\\bin\\java.exe", argv.get(0));
        assertEquals(windowsPath(dir) + "\\leakwatch.jar", argv.get(argv.size() - 2));
        assertEquals("--version", argv.get(argv.size() - 1));
    }

    @Test
    void withoutAJreJavaHomeIsUsed() throws Exception {
        Path dir = unzippedLauncher("no-jre");
        Path javaHome = work.resolve("java-home");
        Files.createDirectories(javaHome.resolve("bin"));
        Files.copy(work.resolve("java.exe"), javaHome.resolve("bin/java.exe"));
        List<String> argv = launch(dir, Map.of("JAVA_HOME", windowsPath(javaHome)), "--version");
        assertEquals(windowsPath(javaHome) + "\\bin\\java.exe", argv.get(0));
        assertEquals("--version", argv.get(argv.size() - 1));
    }

    /** leakwatch.cmd as the Windows zip has it, in a folder of its own. */
    private static Path unzippedLauncher(String name) throws IOException {
        Path dir = work.resolve(name);
        Files.createDirectories(dir);
        Path zip = Path.of("target", "leakwatch-windows.zip");
        assertTrue(Files.isRegularFile(zip), "no " + zip + ": the system tier runs after package");
        try (ZipFile z = new ZipFile(zip.toFile())) {
            var entry = z.stream().filter(e -> e.getName().endsWith("/leakwatch.cmd")).findFirst().orElseThrow();
            try (InputStream in = z.getInputStream(entry)) {
                Files.copy(in, dir.resolve("leakwatch.cmd"));
            }
        }
        Files.writeString(dir.resolve("leakwatch.jar"), "");
        return dir;
    }

    private static List<String> launch(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(WINE.toString(), "cmd", "/c", windowsPath(dir.resolve("leakwatch.cmd"))));
        command.addAll(List.of(args));
        Map<String, String> environment = new java.util.HashMap<>(env);
        environment.put("WINEPREFIX", prefix.toString());
        environment.put("WINEDEBUG", "-all");
        String out = run(command, environment, 180);
        List<String> argv = out.lines().filter(l -> l.startsWith("ARG[") && l.endsWith("]"))
                .map(l -> l.substring(4, l.length() - 1)).toList();
        assertTrue(!argv.isEmpty(), "the stand-in java.exe did not run:\n" + out);
        return argv;
    }

    /** Wine maps the Unix root to drive Z:. */
    private static String windowsPath(Path path) {
        return "Z:" + path.toAbsolutePath().toString().replace('/', '\\');
    }

    private static String run(List<String> command, Map<String, String> env, int seconds) throws Exception {
        // output to a file: the wine server that wine starts may keep a pipe open after wine exits
        Path log = Files.createTempFile(work, "run", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish within " + seconds + " s:\n" + Files.readString(log));
        }
        String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), command + ":\n" + text);
        return text;
    }
}
