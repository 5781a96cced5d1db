package io.leakwatch.stack;

import io.leakwatch.testing.Http;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker/Dockerfile built for real with podman and runc: base images from Debian packages
 * (docker/debian-base.sh, cached in podman's image store), the jar this build made
 * (target/leakwatch.jar, JAR=context), an image named for this run, removed with its containers
 * and volumes on close. Built once per test JVM ({@link #shared}): the build is the slowest part of
 * the container tests, and every class uses the same image.
 */
final class ContainerImage implements AutoCloseable {
    private static ContainerImage shared;

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);

    final String name = "localhost/" + Podman.RUN + ":latest";
    final Duration baseTime;
    final Duration buildTime;
    final long sizeBytes;
    private final List<String> containers = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();
    private int sequence;

    private ContainerImage(Duration baseTime, Duration buildTime, long sizeBytes) {
        this.baseTime = baseTime;
        this.buildTime = buildTime;
        this.sizeBytes = sizeBytes;
    }

    /** The image of this test run, built on first use and removed when the test JVM exits. */
    static synchronized ContainerImage shared() {
        if (shared == null) {
            ContainerImage image = build();
            Runtime.getRuntime().addShutdownHook(new Thread(image::close, "remove-test-image"));
            shared = image;
        }
        return shared;
    }

    static ContainerImage build() {
        Path jar = StackFiles.ROOT.resolve("target/leakwatch.jar");
        assertTrue(Files.isRegularFile(jar), "no target/leakwatch.jar: the container tests run in the system tier, after package (mvn verify)");

        long start = System.nanoTime();
        Command.Result bases = Command.run(StackFiles.ROOT, BUILD_TIMEOUT, "bash", "docker/debian-base.sh");
        assertTrue(bases.ok(), "docker/debian-base.sh failed:\n" + bases.output());
        String[] names = Podman.lastLine(bases.output()).split(" ");
        Duration baseTime = Duration.ofNanos(System.nanoTime() - start);

        String image = "localhost/" + Podman.RUN + ":latest";
        start = System.nanoTime();
        // --layers=false: no intermediate images left behind in a store other developers share.
        List<String> build = new ArrayList<>(List.of("build", "--layers=false", "--pull=never", "--format", "docker"));
        build.addAll(Podman.ULIMITS);
        build.addAll(List.of("--ignorefile", "docker/Dockerfile.dockerignore", "-f", "docker/Dockerfile",
                "--build-arg", "JAR=context", "--build-arg", "JDK_IMAGE=" + names[0], "--build-arg", "RUNTIME_IMAGE=" + names[1],
                "--label", "leakwatch.test.run=" + Podman.RUN, "-t", image, "."));
        Command.Result built = Podman.run(BUILD_TIMEOUT, build);
        assertTrue(built.ok(), "podman build failed:\n" + built.output());
        Duration buildTime = Duration.ofNanos(System.nanoTime() - start);
        long size = Long.parseLong(Podman.lastLine(Podman.ok(Duration.ofMinutes(1), "image", "inspect", "--format", "{{.Size}}", image)));
        System.out.printf("container image %s: %.1f MB; base images %s in %.1f s, image built in %.1f s%n",
                image, size / 1e6, String.join(" ", names), baseTime.toMillis() / 1000.0, buildTime.toMillis() / 1000.0);
        return new ContainerImage(baseTime, buildTime, size);
    }

    /** A named volume removed on close. */
    String volume(String suffix) {
        String volume = Podman.RUN + "-" + suffix;
        Podman.ok(Duration.ofMinutes(1), "volume", "create", volume);
        volumes.add(volume);
        return volume;
    }

    /**
     * Starts a container the way docs/containers.md does (the host's /proc read-only at /host/proc,
     * read-only root, no capabilities, no new privileges, port 9182 published on a free loopback
     * port) plus options, with leakwatch flags appended to the image's entrypoint.
     */
    Container start(List<String> options, List<String> flags) {
        String container = Podman.RUN + "-" + (++sequence);
        List<String> argv = new ArrayList<>(List.of("run", "-d", "--name", container,
                "-v", "/proc:/host/proc:ro", "--read-only", "--cap-drop=ALL", "--security-opt=no-new-privileges",
                "-p", "127.0.0.1::9182"));
        argv.addAll(Podman.ULIMITS);
        argv.addAll(options);
        argv.add(name);
        argv.addAll(flags);
        containers.add(container);
        Podman.ok(Duration.ofMinutes(2), argv.toArray(String[]::new));
        String port = Podman.lastLine(Podman.ok(Duration.ofMinutes(1), "port", container, "9182/tcp"));
        long pid = Long.parseLong(Podman.lastLine(Podman.ok(Duration.ofMinutes(1), "inspect", "--format", "{{.State.Pid}}", container)));
        return new Container(container, Integer.parseInt(port.substring(port.lastIndexOf(':') + 1)), pid);
    }

    /** Removes the containers started so far (each test's, so they do not pile up on a shared machine). */
    synchronized void removeContainers() {
        for (String container : containers) {
            Podman.run(Duration.ofMinutes(1), "rm", "--force", "--volumes", "--time", "5", container);
        }
        containers.clear();
    }

    @Override
    public synchronized void close() {
        removeContainers();
        for (String volume : volumes) {
            Podman.run(Duration.ofMinutes(1), "volume", "rm", "--force", volume);
        }
        Podman.run(Duration.ofMinutes(1), "rmi", "--force", name);
    }

    /** A running container; pid is leakwatch's JVM as the host sees it. */
    record Container(String name, int port, long pid) {
        /** GET path over HTTP; status and body, or -1 while nothing answers. */
        HttpResponse<String> get(String path) {
            try {
                return Http.get("http://127.0.0.1:" + port + path);
            } catch (IOException e) {
                return null;
            }
        }

        /** Waits for /health to answer 200; fails with the container's log if it exits or time runs out. */
        Container awaitHealthy(Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < deadline) {
                HttpResponse<String> r = get("/health");
                if (r != null && r.statusCode() == 200) {
                    return this;
                }
                if (!running()) {
                    throw new AssertionError("container " + name + " stopped:\n" + logs());
                }
                Thread.sleep(300);
            }
            throw new AssertionError("no healthy leakwatch in " + name + " within " + limit + ":\n" + logs());
        }

        /** /metrics once a scrape satisfies ready. */
        String awaitMetrics(java.util.function.Predicate<String> ready, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            String last = null;
            while (System.nanoTime() < deadline) {
                HttpResponse<String> r = get("/metrics");
                if (r != null && r.statusCode() == 200) {
                    last = r.body();
                    if (ready.test(last)) {
                        return last;
                    }
                }
                Thread.sleep(500);
            }
            throw new AssertionError("no matching scrape from " + name + " within " + limit + "; log:\n" + logs()
                    + "\nlast scrape (head):\n" + (last == null ? "none" : last.substring(0, Math.min(2000, last.length()))));
        }

        boolean running() {
            return "true".equals(Podman.lastLine(Podman.run(Duration.ofMinutes(1), "inspect", "--format", "{{.State.Running}}", name).output()));
        }

        String inspect(String format) {
            return Podman.lastLine(Podman.ok(Duration.ofMinutes(1), "inspect", "--format", format, name));
        }

        String logs() {
            return Podman.run(Duration.ofMinutes(1), "logs", name).output();
        }

        /** Waits for a log line containing text: a line may reach the log a little after its effect is visible. */
        String awaitLog(String text, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            String log = logs();
            while (!log.contains(text) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                log = logs();
            }
            assertTrue(log.contains(text), "no log line with '" + text + "' within " + limit.toSeconds() + " s:\n" + log);
            return log;
        }

        Command.Result exec(String... command) {
            List<String> argv = new ArrayList<>(List.of("exec", name));
            argv.addAll(List.of(command));
            return Podman.run(Duration.ofMinutes(1), argv);
        }
    }
}
