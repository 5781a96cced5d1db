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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker/Dockerfile without a Docker engine: its build stage replayed in an empty directory (only what
 * its COPY lines bring, then its own RUN command), and the jar the runtime stage copies started with
 * the runtime stage's ENTRYPOINT, /host/proc swapped for /proc, and scraped once.
 */
@Tag("system")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DockerBuildTest {
    private static final Path DOCKERFILE = StackFiles.DOCKER.resolve("Dockerfile");

    @TempDir
    Path context;

    @Test
    void buildStageBuildsAJarThatTheEntrypointRuns() throws Exception {
        Dockerfile dockerfile = Dockerfile.parse(DOCKERFILE);
        assertEquals(2, dockerfile.stages().size(), "multi-stage: build, then runtime");
        Dockerfile.Stage build = dockerfile.stages().get(0);
        Dockerfile.Stage runtime = dockerfile.last();
        assertTrue(build.image().startsWith("maven:") && build.image().contains("17"), "Maven on Java 17: " + build.image());
        assertTrue(runtime.image().matches("eclipse-temurin:17-jre.*"), "a Java 17 JRE at runtime: " + runtime.image());

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

        // what the runtime stage copies from the build stage exists
        Dockerfile.Copy fromBuild = runtime.copies().stream().filter(c -> build.name().equals(c.from())).findFirst()
                .orElseThrow(() -> new AssertionError("runtime stage copies nothing from " + build.name()));
        Path jar = context.resolve(fromBuild.sources().get(0).substring(1));
        assertTrue(Files.isRegularFile(jar), "the build stage makes no " + fromBuild.sources().get(0));

        // ENTRYPOINT as the container would run it, reading this machine's /proc instead of /host/proc
        List<String> entrypoint = runtime.entrypoint();
        assertTrue(entrypoint.contains("--path.procfs=/host/proc"), "reads the host's /proc mounted at /host/proc: " + entrypoint);
        assertEquals(fromBuild.destination(), entrypoint.get(entrypoint.indexOf("-jar") + 1), "ENTRYPOINT runs the copied jar");
        List<String> argv = new ArrayList<>();
        for (String arg : entrypoint) {
            argv.add(arg.equals(fromBuild.destination()) ? jar.toString()
                    : arg.equals("--path.procfs=/host/proc") ? "--path.procfs=/proc"
                    : arg.equals("java") ? LocalExporter.java() : arg);
        }
        try (LocalExporter exporter = LocalExporter.start(argv, context.resolve("leakwatch.log"))) {
            String metrics = exporter.awaitScrape(body -> true, Duration.ofSeconds(60));
            assertTrue(metrics.contains("windows_process_private_bytes{"), "the jar serves process metrics");
            assertTrue(Pattern.compile("(?m)^windows_exporter_collector_success\\{collector=\"process\",?} 1(\\.0)?$").matcher(metrics).find(),
                    "collector succeeds");
        }
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
