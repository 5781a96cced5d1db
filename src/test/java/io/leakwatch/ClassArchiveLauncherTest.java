package io.leakwatch;

import io.leakwatch.common.Version;
import io.leakwatch.testing.ChildExporter;
import io.leakwatch.testing.Http;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The class archive that mvn package makes next to the jar (target/leakwatch.jsa, pom.xml's class-archive
 * profile): the launcher's JVM maps it, and when it no longer fits (another Java, a jar changed after it was
 * made) leakwatch still starts, without the JVM's notes on stdout, and says so once in its log.
 */
@Tag("system")
class ClassArchiveLauncherTest {
    private static final Path LAUNCHER = Path.of("src/main/dist/leakwatch").toAbsolutePath();
    private static final Path JAR = Path.of("target/leakwatch.jar").toAbsolutePath();
    private static final Path ARCHIVE = Path.of("target/leakwatch.jsa").toAbsolutePath();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theLauncherMapsTheArchiveTheBuildMade() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "the archive is made on Linux builds");
        assertTrue(Files.isRegularFile(ARCHIVE), ARCHIVE + " is made by mvn package (profile class-archive)");
        // -Xshare:on: the JVM refuses to start unless it maps the archive the launcher names
        String out = version(JAR, Map.of("JAVA_OPTS", "-Xshare:on -Xlog:class+load=info"));
        assertTrue(out.contains("io.leakwatch.Main source: shared objects file"), out);
        assertTrue(out.lines().anyMatch(("leakwatch " + Version.VERSION)::equals), out);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aJarChangedAfterItsArchiveStartsWithoutItQuietlyAndTheLogSaysSo(@TempDir Path dir) throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "the archive is made on Linux builds");
        Path jar = dir.resolve("leakwatch.jar");
        Files.copy(JAR, jar);
        Files.copy(ARCHIVE, dir.resolve("leakwatch.jsa"));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60))); // as a rebuilt jar

        assertEquals("leakwatch " + Version.VERSION + "\n", version(jar, Map.of()), "nothing but the version");
        try (ChildExporter child = ChildExporter.launch(Map.of("LEAKWATCH_CLASSPATH", "", "LEAKWATCH_JAR", jar.toString()),
                "--leak.state-file=")) {
            assertEquals(200, Http.get(child.port, "/metrics").statusCode());
            List<String> notices = child.log().stream().filter(l -> l.contains("class archive")).toList();
            assertEquals(1, notices.size(), child.log().toString());
            assertTrue(notices.get(0).contains("level=WARN") && notices.get(0).contains(dir.resolve("leakwatch.jsa").toString()),
                    notices.get(0));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anotherJavaStartsWithoutTheArchiveAndWithoutTheJvmsNotes() throws Exception {
        Path otherJava = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
        assumeTrue(Files.isExecutable(otherJava), "needs a second Java: " + otherJava);
        String out = version(JAR, Map.of("JAVA", otherJava.toString()));
        assertEquals("leakwatch " + Version.VERSION + "\n", out, "no [cds] lines from the JVM");
        assertFalse(out.contains("[cds]"), out);
    }

    /** The launcher's --version in jar mode: stdout and stderr together. */
    private static String version(Path jar, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "--version").redirectErrorStream(true);
        pb.environment().remove("LEAKWATCH_CLASSPATH");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().put("LEAKWATCH_JAR", jar.toString());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not exit");
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
