package io.leakwatch.stack;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Dockerfile's Maven stage, the path of a default build (JAR=maven on public base images),
 * replayed without an engine: only what its COPY lines bring, in an empty directory, then its own
 * RUN command, which must make the jar the next stage copies. ContainerImageTest builds and runs the
 * rest of the Dockerfile for real with a jar built outside (JAR=context).
 */
@Tag("system")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DockerBuildTest {
    private static final Path DOCKERFILE = StackFiles.DOCKER.resolve("Dockerfile");

    @TempDir
    Path context;

    @Test
    void defaultsArePublicImagesAndAMavenBuild() {
        Dockerfile dockerfile = Dockerfile.parse(DOCKERFILE);
        assertEquals("maven", dockerfile.args().get("JAR"), "a plain docker build needs nothing built before");
        assertTrue(dockerfile.resolve(dockerfile.stage("maven").image()).matches("maven:3\\.9-eclipse-temurin-17"),
                dockerfile.args().toString());
        assertEquals("eclipse-temurin:17-jdk", dockerfile.resolve(dockerfile.stage("jar-context").image()));
        assertEquals("debian:bookworm-slim", dockerfile.resolve(dockerfile.last().image()));
        assertEquals("jar-${JAR}", dockerfile.stage("runtime-build").image(), "the runtime is linked next to the chosen jar");
    }

    @Test
    void mavenStageBuildsTheJarTheNextStageCopies() throws Exception {
        Dockerfile dockerfile = Dockerfile.parse(DOCKERFILE);
        Dockerfile.Stage build = dockerfile.stage("maven");

        // the build stage's file system: WORKDIR with what its COPY lines bring from the repository
        Path workdir = context.resolve(build.workdir().substring(1));
        Files.createDirectories(workdir);
        List<String> allowed = Files.readAllLines(StackFiles.DOCKER.resolve("Dockerfile.dockerignore")).stream()
                .filter(l -> l.startsWith("!")).map(l -> l.substring(1).replaceFirst("/\\*\\*$", "")).toList();
        for (Dockerfile.Copy copy : build.copies()) {
            for (String source : copy.sources()) {
                // Dockerfile.dockerignore excludes everything but what is named with "!"
                assertTrue(allowed.contains(source), "COPY " + source + " is excluded by Dockerfile.dockerignore " + allowed);
                copyTree(StackFiles.ROOT.resolve(source), resolveIn(workdir, copy.destination(), source));
            }
        }
        List<String> mvnRuns = build.runs().stream().filter(r -> r.startsWith("mvn ")).toList();
        assertEquals(1, mvnRuns.size(), "one Maven command in the build stage: " + build.runs());
        Command.Result r = Command.run(workdir, Duration.ofMinutes(5), "sh", "-c", mvnRuns.get(0));
        assertTrue(r.ok(), "the Dockerfile's " + mvnRuns.get(0) + " failed:\n" + r.output());

        Dockerfile.Copy fromBuild = dockerfile.stage("jar-maven").copies().stream().filter(c -> "maven".equals(c.from()))
                .findFirst().orElseThrow(() -> new AssertionError("jar-maven copies nothing from the maven stage"));
        Path jar = context.resolve(fromBuild.sources().get(0).substring(1));
        assertTrue(Files.isRegularFile(jar), "the maven stage makes no " + fromBuild.sources().get(0));
        Dockerfile.Copy fromContext = dockerfile.stage("jar-context").copies().get(0);
        assertEquals(fromBuild.destination(), fromContext.destination(), "both jar stages put the jar in the same place");
        Command.Result version = Command.run(context, Duration.ofMinutes(1), LocalExporter.java(), "-jar", jar.toString(), "--version");
        assertTrue(version.ok() && version.output().startsWith("leakwatch "), version.output());
    }

    private static Path resolveIn(Path workdir, String destination, String source) {
        Path dest = destination.startsWith("/") ? workdir.getRoot().resolve(destination.substring(1)) : workdir.resolve(destination);
        return destination.endsWith("/") || destination.equals(".") || destination.equals("./")
                ? dest.resolve(Path.of(source).getFileName()) : dest;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        assertTrue(Files.exists(from), "COPY source " + from + " is not in the repository");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
