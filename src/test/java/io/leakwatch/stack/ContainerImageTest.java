package io.leakwatch.stack;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.testing.ChildProcess;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.TestCerts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image for real: docker/Dockerfile built with podman and runc on base images made from Debian
 * packages, run as docs/containers.md says (the host's /proc read-only at /host/proc, read-only
 * root, no capabilities), and checked from the host: a process this test starts shows up with its
 * memory, leakwatch runs as its own non-root user, SIGTERM stops it cleanly, the leak history
 * survives on a volume, the health check works, TLS works with the trimmed Java runtime, the compose
 * file and the Linux DaemonSet run as they promise (and their privileged variants read another
 * user's I/O), and the JVM inside uses about the memory the launcher uses on the host.
 * ContainerEscapeTest shows what each variant can reach beyond leakwatch's own work.
 */
@Tag("system")
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class ContainerImageTest {
    private static final Duration START = Duration.ofSeconds(90);
    private static final Path LAUNCHER = StackFiles.ROOT.resolve("src/main/dist/leakwatch");
    private static ContainerImage image;
    private static ChildProcess hostProcess;
    private static String hostProcessName;

    @TempDir
    static Path work;

    @BeforeAll
    static void buildImage() throws IOException {
        Podman.require("podman", "runc", "mmdebstrap");
        image = ContainerImage.shared();
        // a process on the host, outside any container, holding 48 MiB of touched memory
        hostProcessName = "lwc-" + Integer.toHexString(new Random().nextInt(0x10000));
        hostProcess = ChildProcess.start(hostProcessName.getBytes(StandardCharsets.US_ASCII), 48);
    }

    @AfterEach
    void removeContainers() {
        if (image != null) {
            image.removeContainers();
        }
    }

    @AfterAll
    static void stopHostProcess() throws InterruptedException {
        if (hostProcess != null) {
            hostProcess.close();
        }
    }

    @Test
    void imageIsSmallRunsTheLauncherAsNonRootAndDeclaresAHealthCheck() throws IOException {
        System.out.printf("image size: %.1f MB%n", image.sizeBytes / 1e6);
        assertTrue(image.sizeBytes < 130_000_000L, "a trimmed Java runtime, not a JDK: " + image.sizeBytes + " bytes");
        String config = Podman.ok(Duration.ofMinutes(1), "image", "inspect", "--format",
                "{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Volumes}}|{{json .Config.ExposedPorts}}", image.name);
        String[] parts = Podman.lastLine(config).split("\\|");
        assertEquals(imageUser(), parts[0], "its own non-root user by default");
        assertFalse(parts[0].startsWith("0:") || parts[0].startsWith("65534:"), "neither root nor nobody (which other exporters share)");
        assertEquals("[\"/opt/leakwatch/bin/leakwatch\",\"--path.procfs=/host/proc\"]", parts[1], "the launcher, reading /host/proc");
        assertTrue(parts[2].contains("/var/lib/leakwatch"), "leak history on a volume: " + parts[2]);
        assertTrue(parts[3].contains("9182/tcp"), parts[3]);
        // podman keeps HEALTHCHECK only in the docker format; the check itself runs below
        String health = Podman.ok(Duration.ofMinutes(1), "image", "inspect", "--format", "{{json .HealthCheck}}", image.name);
        assertTrue(health.contains("/opt/leakwatch/bin/healthcheck"), "HEALTHCHECK: " + health);
    }

    @Test
    void aHostProcessShowsUpWithItsMemoryAndOwner() throws Exception {
        ContainerImage.Container c = image.start(List.of(), List.of()).awaitHealthy(START);
        String pid = "process_id=\"" + hostProcess.pid() + "\"";
        String metrics = c.awaitMetrics(body -> body.contains(pid), START);
        Map<String, Long> host = status(hostProcess.pid());
        double privateBytes = value(metrics, "windows_process_private_bytes", pid);
        double workingSetPrivate = value(metrics, "windows_process_working_set_private_bytes", pid);
        double hostPrivate = (host.get("RssAnon") + host.get("VmSwap")) * 1024.0;
        System.out.printf("host process %s (pid %d): private bytes %.1f MiB in the container, %.1f MiB on the host%n",
                hostProcessName, hostProcess.pid(), privateBytes / (1 << 20), hostPrivate / (1 << 20));
        assertTrue(privateBytes >= 48 << 20, "it touched 48 MiB: " + privateBytes);
        assertEquals(hostPrivate, privateBytes, hostPrivate * 0.1, "the same memory the host's /proc shows");
        assertTrue(workingSetPrivate >= 48 << 20, "working set private: " + workingSetPrivate);
        String info = line(metrics, "windows_process_info", pid);
        assertTrue(info.contains("process=\"" + hostProcessName + "\""), info);
        // owner names resolve through libc (JNA) inside a read-only container
        String owner = Files.readAllLines(Path.of("/etc/passwd")).stream().filter(l -> l.split(":")[2].equals("0"))
                .map(l -> l.split(":")[0]).findFirst().orElseThrow();
        assertTrue(info.contains("owner=\"" + owner + "\""), "owner of a root process is " + owner + ": " + info);
        // no filter given, as the DaemonSet ships: windows_exporter's one warning, and nothing else
        List<String> warnings = c.logs().lines().filter(l -> l.contains("level=WARN")).toList();
        assertEquals(1, warnings.size(), c.logs());
        assertTrue(warnings.get(0).contains("msg=\"No filters specified for process collector."), warnings.get(0));
        printSeriesPerProcess(metrics);
    }

    @Test
    void runsAsNonRootWithoutCapabilitiesOnAReadOnlyRoot() throws Exception {
        ContainerImage.Container c = image.start(List.of(), List.of()).awaitHealthy(START);
        Map<String, String> status = statusText(c.pid());
        String[] user = imageUser().split(":");
        assertEquals(List.of(user[0], user[0], user[0], user[0]), Arrays.asList(status.get("Uid").split("\\s+")), "Uid");
        assertEquals(List.of(user[1], user[1], user[1], user[1]), Arrays.asList(status.get("Gid").split("\\s+")), "Gid");
        assertEquals("1", status.get("NoNewPrivs"));
        assertEquals("0000000000000000", status.get("CapEff"), "no effective capabilities");
        String rootMount = Files.readAllLines(Path.of("/proc/" + c.pid() + "/mountinfo")).stream()
                .filter(l -> l.split(" ")[4].equals("/")).findFirst().orElseThrow();
        assertTrue(rootMount.split(" ")[5].startsWith("ro"), "root mounted read-only: " + rootMount);
        Command.Result write = c.exec("/bin/bash", "-c", "echo x > /opt/leakwatch/probe");
        assertFalse(write.ok(), "writing to the root file system must fail");
        assertTrue(write.output().contains("Read-only file system"), write.output());
        assertEquals("true", c.inspect("{{.HostConfig.ReadonlyRootfs}}"));
    }

    @Test
    void healthCheckPassesAndCanFail() throws Exception {
        ContainerImage.Container c = image.start(List.of(), List.of()).awaitHealthy(START);
        Command.Result healthy = Podman.run(Duration.ofMinutes(1), "healthcheck", "run", c.name());
        assertTrue(healthy.ok(), "podman healthcheck run: " + healthy.output());
        Command.Result elsewhere = Podman.run(Duration.ofMinutes(1), "exec", "-e", "LEAKWATCH_HEALTH_ADDRESS=127.0.0.1:1", c.name(),
                "/opt/leakwatch/bin/healthcheck");
        assertEquals(1, elsewhere.exitCode(), "nothing listens on port 1: " + elsewhere.output());
        assertTrue(elsewhere.output().contains("not listening on 127.0.0.1:1"), elsewhere.output());
    }

    @Test
    void runsWithTheLaunchersMeasuredJvmFlags() throws Exception {
        ContainerImage.Container c = image.start(List.of(), List.of()).awaitHealthy(START);
        List<String> cmdline = Arrays.asList(Files.readString(Path.of("/proc/" + c.pid() + "/cmdline")).split("\0"));
        List<String> defaults = launcherDefaults();
        int at = cmdline.indexOf(defaults.get(0));
        assertTrue(at > 0 && cmdline.subList(at, at + defaults.size()).equals(defaults),
                "the JVM runs with the launcher's defaults " + defaults + ": " + cmdline);
        assertTrue(cmdline.get(0).startsWith("/opt/leakwatch/jre/"), "the image's trimmed runtime: " + cmdline.get(0));
        List<String> environment = Arrays.asList(Files.readString(Path.of("/proc/" + c.pid() + "/environ")).split("\0"));
        assertTrue(environment.contains("MALLOC_ARENA_MAX=2"), "the launcher's malloc setting: " + environment);
    }

    @Test
    void sigtermStopsItCleanlyAndTheLeakHistorySurvivesOnAVolume() throws Exception {
        String volume = image.volume("state");
        List<String> options = List.of("-v", volume + ":/var/lib/leakwatch");
        List<String> flags = List.of("--collector.process.include=" + hostProcessName,
                "--leak.sample-interval=1s", "--leak.window=60s");
        ContainerImage.Container first = image.start(options, flags).awaitHealthy(START);
        double coverage = awaitCoverage(first, 8, START);

        long start = System.nanoTime();
        Podman.ok(Duration.ofMinutes(1), "stop", "--time", "30", first.name());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals("0", first.inspect("{{.State.ExitCode}}"), "exit code after SIGTERM; log:\n" + first.logs());
        assertTrue(seconds < 20, "stopped by SIGTERM, not killed after the 30 s grace time: " + seconds + " s");
        String log = first.logs();
        assertTrue(log.contains("SIGTERM received") && log.contains("stopped"), log);
        System.out.printf("SIGTERM to stopped container: %.1f s%n", seconds);

        String mountpoint = Podman.lastLine(Podman.ok(Duration.ofMinutes(1), "volume", "inspect", "--format", "{{.Mountpoint}}", volume));
        Path state = Path.of(mountpoint, "leak-state-9182.json"); // --leak.state-file=auto: $XDG_STATE_HOME/leakwatch/
        assertTrue(Files.isRegularFile(state), "the leak history was saved on the volume: " + state);
        assertTrue(Files.readString(state).contains(Long.toString(hostProcess.pid())), "with the host process in it");

        ContainerImage.Container second = image.start(options, flags).awaitHealthy(START);
        // /leaks.json lists saved histories before the first sample matches them: the log line says the match happened
        second.awaitLog("restored the history of 1 of 1 saved processes", START);
        double restored = awaitCoverage(second, 0, START);
        assertTrue(restored >= coverage, "history restored from the volume: " + restored + " s after restart, " + coverage + " s before");
    }

    @Test
    void tlsAndClientCertificatesWorkWithTheTrimmedRuntime() throws Exception {
        TestCerts certs = TestCerts.shared().copyTo(work.resolve("certs"));
        Files.writeString(certs.dir.resolve("web.yml"), "tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n"
                + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n");
        readableByAll(certs.dir);
        ContainerImage.Container c = image.start(List.of("-v", certs.dir + ":/etc/leakwatch:ro", "--no-healthcheck"),
                List.of("--web.config.file=/etc/leakwatch/web.yml"));
        HttpClient client = Http.client(certs.clientContext("ca.pem", true));
        long deadline = System.nanoTime() + START.toNanos();
        String body = null;
        while (body == null && System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = Http.get(client, "https://127.0.0.1:" + c.port() + "/metrics");
                assertEquals(200, r.statusCode(), r.body());
                body = r.body();
            } catch (IOException notYet) {
                assertTrue(c.running(), "container stopped:\n" + c.logs());
                Thread.sleep(500);
            }
        }
        assertNotNull(body, "no TLS answer:\n" + c.logs());
        assertTrue(body.contains("windows_process_info{"), body.substring(0, Math.min(500, body.length())));
    }

    /**
     * docker-compose.yml's leakwatch service, its settings translated to podman: memory, threads and
     * (Linux 6.2+) handles of another user's process, not its I/O counters; the privileged variant
     * (docker-compose.privileged.yml over it) adds them.
     */
    @Test
    void composeServiceReadsAnotherUsersMemoryAndThePrivilegedVariantItsIo() throws Exception {
        ComposeFile plain = new ComposeFile(ComposeFilesTest.LINUX);
        ComposeFile privileged = ComposeFile.merged(ComposeFilesTest.LINUX, ComposeFilesTest.PRIVILEGED);
        Process other = new ProcessBuilder("setpriv", "--reuid=12345", "--regid=12345", "--clear-groups", "sleep", "120").start();
        try {
            String pid = "process_id=\"" + other.pid() + "\"";
            ContainerImage.Container c = image.start(plain.podmanRunOptions("leakwatch", v -> image.volume("compose-" + v)), List.of())
                    .awaitHealthy(START);
            String metrics = c.awaitMetrics(body -> body.contains(pid), START);
            assertTrue(has(metrics, "windows_process_private_bytes", pid), "memory of uid 12345's process");
            assertTrue(has(metrics, "windows_process_threads", pid), "its threads");
            if (kernelAtLeast(6, 2)) {
                assertTrue(has(metrics, "windows_process_handles", pid), "its handles: Linux 6.2+ counts them for anyone");
            }
            assertFalse(has(metrics, "windows_process_io_bytes_total", pid), "no I/O counters of another user without privileges");
            image.removeContainers();

            // a short leak window, so the leak series exist too when the series are counted below
            c = image.start(privileged.podmanRunOptions("leakwatch", v -> image.volume("compose-privileged-" + v)),
                    List.of("--leak.sample-interval=1s", "--leak.window=60s")).awaitHealthy(START);
            metrics = c.awaitMetrics(body -> body.lines().anyMatch(l -> l.contains(pid)
                    && l.startsWith("leakwatch_leak_private_bytes_floor_growth_bytes_per_second{")), START);
            assertTrue(has(metrics, "windows_process_io_bytes_total", pid), "I/O of uid 12345's process, as the privileged variant promises");
            assertTrue(has(metrics, "windows_process_handles", pid), "its handles");
            // series per process with every source readable (the fleet page's figure)
            Map<String, Long> families = new java.util.TreeMap<>();
            metrics.lines().filter(l -> !l.startsWith("#") && l.contains(pid))
                    .forEach(l -> families.merge(l.substring(0, l.indexOf('{')), 1L, Long::sum));
            long processes = metrics.lines().filter(l -> l.startsWith("windows_process_info{")).count();
            long withPid = metrics.lines().filter(l -> !l.startsWith("#") && l.contains("process_id=\"")).count();
            System.out.printf("series of one process with the privileged variant: %d %s%n",
                    families.values().stream().mapToLong(Long::longValue).sum(), families);
            System.out.printf("series with a process_id: %d for %d processes (%.1f per process), %d lines in all%n", withPid, processes,
                    (double) withPid / processes, metrics.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count());
        } finally {
            other.destroyForcibly();
        }
    }

    /** A container's memory limit is not the host's memory: leak forecasts are against the host's. */
    @Test
    void leakForecastsUseTheHostsMemoryNotTheContainersLimit() throws Exception {
        ContainerImage.Container c = image.start(List.of("--memory=512m"), List.of()).awaitHealthy(START);
        long hostBytes = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElseThrow();
        JsonNode leaks = StackFiles.JSON.readTree(c.get("/leaks.json").body());
        assertEquals(hostBytes, leaks.path("physical_memory_bytes").asLong(), "the host's MemTotal, not the 512 MiB limit");
    }

    /**
     * The default Linux DaemonSet's pod, translated to podman (non-root, no capabilities, the history
     * on an emptyDir made as kubelet makes it): it reads the node's processes, and its leak history
     * survives a restart of its container, which is what an emptyDir keeps.
     */
    @Test
    void kubernetesDaemonSetRunsNonRootAndKeepsItsHistoryAcrossAContainerRestart() throws Exception {
        PodAsContainer pod = PodAsContainer.of(daemonSet(KubernetesManifestsTest.LINUX), work.resolve("node-default"));
        List<String> flags = new ArrayList<>(pod.flags());
        flags.addAll(List.of("--collector.process.include=" + hostProcessName, "--leak.sample-interval=1s", "--leak.window=60s"));
        // beside it, the same pod with the history on a folder kubelet made (root's, 0755), which uid
        // 19182 cannot write: the failure shows in the log at once, and /health stays ok. (It is counted
        // in /metrics at the first save, a minute later: the state file's own tests show that, this one
        // does not wait for it.)
        Path rootsFolder = Files.createDirectories(work.resolve("node-hostpath"));
        List<String> unwritable = new ArrayList<>(pod.options());
        int stateMount = unwritable.indexOf(pod.volumes().get("state") + ":/var/lib/leakwatch");
        unwritable.set(stateMount, rootsFolder + ":/var/lib/leakwatch");
        ContainerImage.Container failing = image.start(unwritable, flags).awaitHealthy(START);
        failing.awaitLog("the leak history is not saved", START);

        ContainerImage.Container first = image.start(pod.options(), flags).awaitHealthy(START);
        assertEquals("19182", statusText(first.pid()).get("Uid").split("\\s+")[0], "the pod's user");
        double coverage = awaitCoverage(first, 8, START);
        Podman.ok(Duration.ofMinutes(1), "stop", "--time", "30", first.name());
        assertEquals("0", first.inspect("{{.State.ExitCode}}"), first.logs());
        Path state = pod.volumes().get("state").resolve("history/leak-state.json");
        assertTrue(Files.isRegularFile(state), "the history saved on the emptyDir: " + first.logs());
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(state.getParent())),
                "in a folder of leakwatch's own inside the emptyDir");
        assertFalse(first.logs().contains("WARN"), "no warning, no failed save: " + first.logs());

        ContainerImage.Container second = image.start(pod.options(), flags).awaitHealthy(START);
        second.awaitLog("restored the history of 1 of 1 saved processes", START);
        double restored = awaitCoverage(second, 0, START);
        assertTrue(restored >= coverage, "history restored after the restart: " + restored + " s, " + coverage + " s before");
        assertTrue(second.get("/metrics").body().contains("\nleakwatch_leak_state_save_failures_total 0.0\n"), "no failed save");

        assertEquals(200, failing.get("/health").statusCode());
        assertTrue(failing.get("/metrics").body().contains("\nleakwatch_leak_state_last_save_timestamp_seconds 0.0\n"), "never saved");
    }

    /** The privileged DaemonSet's pod reads other users' I/O and keeps its history in the node's folder. */
    @Test
    void privilegedKubernetesDaemonSetReadsIoAndKeepsItsHistoryOnTheNode() throws Exception {
        PodAsContainer pod = PodAsContainer.of(daemonSet(KubernetesManifestsTest.LINUX_PRIVILEGED), work.resolve("node-privileged"));
        Process other = new ProcessBuilder("setpriv", "--reuid=12345", "--regid=12345", "--clear-groups", "sleep", "120").start();
        try {
            ContainerImage.Container c = image.start(pod.options(), pod.flags()).awaitHealthy(START);
            String pid = "process_id=\"" + other.pid() + "\"";
            String metrics = c.awaitMetrics(body -> body.contains(pid), START);
            assertTrue(has(metrics, "windows_process_io_bytes_total", pid), "I/O of another user's process, as root with the two capabilities");
            Podman.ok(Duration.ofMinutes(1), "stop", "--time", "30", c.name());
            assertEquals("0", c.inspect("{{.State.ExitCode}}"), c.logs());
            assertTrue(Files.isRegularFile(pod.volumes().get("state").resolve("history/leak-state.json")),
                    "--leak.state-file on the node's folder: " + c.logs());
        } finally {
            other.destroyForcibly();
        }
    }

    /** Target: the JVM in the container within 10% of the launcher's on the host (same flags, same processes). */
    @Test
    void memoryInTheContainerMatchesTheLauncherOnTheHost() throws Exception {
        List<String> flags = List.of("--leak.state-file=");
        ContainerImage.Container c = image.start(List.of(), flags).awaitHealthy(START);
        Path log = work.resolve("launcher.log");
        List<String> argv = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
        argv.addAll(flags);
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("JAVA", LocalExporter.java());
        pb.environment().put("LEAKWATCH_JAR", StackFiles.ROOT.resolve("target/leakwatch.jar").toString());
        pb.environment().remove("JAVA_OPTS");
        int port = LocalExporter.freePort();
        pb.command().add("--web.listen-address=127.0.0.1:" + port);
        Process launcher = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitOk("http://127.0.0.1:" + port + "/metrics", launcher, log);
            // the same scrapes, alternately, so machine noise hits both alike
            int scrapes = 100;
            for (int i = 0; i < scrapes; i++) {
                assertEquals(200, c.get("/metrics").statusCode());
                assertEquals(200, Http.get(port, "/metrics").statusCode());
            }
            long inContainer = status(c.pid()).get("VmRSS");
            long onHost = status(launcher.pid()).get("VmRSS");
            int processes = (int) c.get("/metrics").body().lines().filter(l -> l.startsWith("windows_process_info{")).count();
            System.out.printf("RSS after %d scrapes of %d processes: %.1f MB in the container, %.1f MB launcher on the host (ratio %.2f)%n",
                    scrapes, processes, inContainer / 1024.0, onHost / 1024.0, (double) inContainer / onHost);
            assertTrue(inContainer <= onHost * 1.10, "container JVM RSS " + inContainer + " kB > 1.10 x the launcher's " + onHost + " kB");
        } finally {
            launcher.destroy();
            launcher.waitFor(15, TimeUnit.SECONDS);
        }
    }

    // --- helpers ----------------------------------------------------------------------------------

    static io.fabric8.kubernetes.api.model.apps.DaemonSet daemonSet(Path file) {
        List<KubernetesManifests.Read> reads = KubernetesManifests.read(file);
        assertEquals(List.of(), reads.get(0).problems());
        return (io.fabric8.kubernetes.api.model.apps.DaemonSet) reads.get(0).object();
    }

    /** USER of the Dockerfile's last stage, uid:gid. */
    static String imageUser() throws IOException {
        return Files.readAllLines(StackFiles.DOCKER.resolve("Dockerfile")).stream().filter(l -> l.startsWith("USER "))
                .map(l -> l.substring(5).trim()).reduce((a, b) -> b).orElseThrow();
    }

    static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(v[0]);
        int mi = Integer.parseInt(v[1]);
        return ma > major || (ma == major && mi >= minor);
    }

    private static boolean has(String metrics, String metric, String pidLabel) {
        return metrics.lines().anyMatch(l -> l.startsWith(metric + "{") && l.contains(pidLabel));
    }

    private static void awaitOk(String url, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), "launcher exited:\n" + Files.readString(log));
            try {
                if (Http.get(url).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(300);
        }
        throw new AssertionError("launcher did not answer:\n" + Files.readString(log));
    }

    /** Seconds of leak history /leaks.json shows for the host process, once at least min. */
    private static double awaitCoverage(ContainerImage.Container c, double min, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        double coverage = -1;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = c.get("/leaks.json");
            if (r != null && r.statusCode() == 200) {
                for (JsonNode p : StackFiles.JSON.readTree(r.body()).path("processes")) {
                    if (p.path("process_id").asLong() == hostProcess.pid()) {
                        coverage = p.path("coverage_seconds").asDouble();
                    }
                }
                if (coverage > min) {
                    return coverage;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no leak history of " + hostProcess.pid() + " beyond " + min + " s (last " + coverage + "):\n" + c.logs());
    }

    /** The launcher's default JVM flags, as its script lists them. */
    static List<String> launcherDefaults() throws IOException {
        String script = Files.readString(LAUNCHER).replace("\\\n", " ");
        Matcher m = Pattern.compile("LEAKWATCH_DEFAULT_JVM_OPTS=\"([^\"]+)\"").matcher(script);
        assertTrue(m.find(), "no LEAKWATCH_DEFAULT_JVM_OPTS in the launcher");
        return List.of(m.group(1).trim().split("\\s+"));
    }

    private static void printSeriesPerProcess(String metrics) {
        long processes = metrics.lines().filter(l -> l.startsWith("windows_process_info{")).count();
        long perProcess = metrics.lines().filter(l -> !l.startsWith("#") && l.contains("process_id=\"")).count();
        long all = metrics.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
        System.out.printf("series: %d with a process_id for %d processes (%.1f per process), %d in all%n",
                perProcess, processes, (double) perProcess / processes, all);
    }

    private static double value(String metrics, String name, String pidLabel) {
        String l = line(metrics, name, pidLabel);
        return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
    }

    private static String line(String metrics, String name, String pidLabel) {
        return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains(pidLabel)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " for " + pidLabel));
    }

    /** /proc/PID/status values in kB (or counts), by field. */
    private static Map<String, Long> status(long pid) throws IOException {
        Map<String, Long> values = new java.util.HashMap<>();
        statusText(pid).forEach((k, v) -> {
            String first = v.split("\\s+")[0];
            if (first.matches("\\d+")) {
                values.put(k, Long.parseLong(first));
            }
        });
        values.putIfAbsent("VmSwap", 0L);
        return values;
    }

    static Map<String, String> statusText(long pid) throws IOException {
        Map<String, String> fields = new java.util.HashMap<>();
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            int colon = l.indexOf(':');
            fields.put(l.substring(0, colon), l.substring(colon + 1).trim());
        }
        return fields;
    }

    private static void readableByAll(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }
}
