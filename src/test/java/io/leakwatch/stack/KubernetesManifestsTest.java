package io.leakwatch.stack;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker/kubernetes/*.yaml checked offline against the Kubernetes and Prometheus Operator API models
 * (strictly: an unknown or mistyped field anywhere fails), then for what the schema cannot know:
 * that the pods read the node's processes the way the image and the docs expect. ContainerImageTest
 * runs the Linux DaemonSet's container settings with the real image.
 */
@Tag("system")
class KubernetesManifestsTest {
    static final Path DIR = StackFiles.DOCKER.resolve("kubernetes");
    static final Path LINUX = DIR.resolve("leakwatch-linux.yaml");
    static final Path WINDOWS = DIR.resolve("leakwatch-windows.yaml");
    static final Path POD_MONITOR = DIR.resolve("leakwatch-podmonitor.yaml");

    @Test
    void everyManifestMatchesTheApiSchema() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(List.of(LINUX, POD_MONITOR, WINDOWS), files);
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            for (KubernetesManifests.Read read : KubernetesManifests.read(file)) {
                read.problems().forEach(p -> problems.add(file.getFileName() + " #" + read.document() + ": " + p));
            }
        }
        assertEquals(List.of(), problems);
    }

    /** The check must be able to say no, or the test above proves nothing. */
    @Test
    void theCheckRejectsMistakes() throws IOException {
        String linux = Files.readString(LINUX);
        assertRejected(linux.replace("hostPID: true", "hostPid: true"), "hostPid");
        assertRejected(linux.replace("readOnly: true", "readonly: true"), "readonly");
        assertRejected(linux.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: \"yes\""), "readOnlyRootFilesystem");
        assertRejected(linux.replace("periodSeconds: 30", "periodSeconds: thirty"), "periodSeconds");
        assertRejected(Files.readString(POD_MONITOR).replace("podMetricsEndpoints:", "podMetricEndpoints:"), "podMetricEndpoints");
        assertRejected(linux.replace("kind: DaemonSet", "kind: DeamonSet"), "DeamonSet");
    }

    private static void assertRejected(String yaml, String mistake) {
        List<String> problems = KubernetesManifests.read(Path.of("mistake.yaml"), yaml).stream()
                .flatMap(r -> r.problems().stream()).toList();
        assertFalse(problems.isEmpty(), "a manifest with " + mistake + " passed");
        assertTrue(problems.toString().contains(mistake), problems.toString());
    }

    @Test
    void linuxDaemonSetReadsTheNodesProcesses() throws IOException {
        PodSpec pod = daemonSet(LINUX).getSpec().getTemplate().getSpec();
        assertEquals(Map.of("kubernetes.io/os", "linux"), pod.getNodeSelector());
        assertEquals(true, pod.getHostPID(), "the node's processes");
        Container c = pod.getContainers().get(0);
        Dockerfile dockerfile = Dockerfile.parse(StackFiles.DOCKER.resolve("Dockerfile"));
        assertEquals(List.of(dockerfile.last().entrypoint().get(0)), c.getCommand(), "the image's launcher");
        assertTrue(c.getArgs().contains("--path.procfs=/host/proc"), c.getArgs().toString());

        VolumeMount procMount = mount(c, "/host/proc");
        assertEquals(true, procMount.getReadOnly(), "/proc read-only");
        assertEquals("/proc", volume(pod, procMount.getName()).getHostPath().getPath());
        String stateFile = c.getArgs().stream().filter(a -> a.startsWith("--leak.state-file=")).findFirst().orElseThrow()
                .substring("--leak.state-file=".length());
        VolumeMount state = mount(c, Path.of(stateFile).getParent().toString());
        assertNotNull(volume(pod, state.getName()).getHostPath(), "leak history kept on the node, not in the pod");

        // the compose file's privileges: root with exactly the two capabilities, nothing else
        Map<String, Object> compose = new ComposeFile(StackFiles.DOCKER.resolve("docker-compose.yml")).service("leakwatch");
        var security = c.getSecurityContext();
        assertEquals(compose.get("cap_add"), security.getCapabilities().getAdd());
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop());
        assertEquals(true, security.getReadOnlyRootFilesystem());
        assertEquals(false, security.getAllowPrivilegeEscalation());
        assertEquals(0L, security.getRunAsUser(), "root: capabilities only act for uid 0 (no ambient capabilities in Kubernetes)");

        assertProbesOnHealth(c);
        assertMemoryFitsTheJvm(c);
    }

    @Test
    void windowsDaemonSetIsAHostProcessRunningTheZipsLauncher() throws Exception {
        PodSpec pod = daemonSet(WINDOWS).getSpec().getTemplate().getSpec();
        assertEquals(Map.of("kubernetes.io/os", "windows"), pod.getNodeSelector());
        var windows = pod.getSecurityContext().getWindowsOptions();
        assertEquals(true, windows.getHostProcess());
        assertEquals("NT AUTHORITY\\system", windows.getRunAsUserName(), "LocalSystem, like the service");
        assertEquals(true, pod.getHostNetwork(), "HostProcess pods use the node's network");
        Container c = pod.getContainers().get(0);
        String launcher = String.join(" ", c.getCommand());
        assertTrue(launcher.endsWith("%CONTAINER_SANDBOX_MOUNT_POINT%\\leakwatch\\leakwatch.cmd"), launcher);
        // the zip has the launcher, and Dockerfile.windows puts the zip's folder at \leakwatch
        try (ZipFile zip = new ZipFile(StackFiles.ROOT.resolve("target/leakwatch-windows.zip").toFile())) {
            assertTrue(zip.stream().anyMatch(e -> e.getName().endsWith("/leakwatch.cmd")), "leakwatch.cmd in the Windows zip");
        }
        assertTrue(Files.readString(StackFiles.DOCKER.resolve("Dockerfile.windows")).contains("/leakwatch/"));
        String javaOpts = c.getEnv().stream().filter(e -> e.getName().equals("LEAKWATCH_JAVA_OPTS")).findFirst().orElseThrow().getValue();
        assertEquals(String.join(" ", ContainerImageTest.launcherDefaults()), javaOpts, "the Linux launcher's measured JVM flags");
        ContainerPort port = c.getPorts().get(0);
        assertEquals(9182, port.getContainerPort());
        assertEquals(9182, port.getHostPort());
        assertProbesOnHealth(c);
        assertMemoryFitsTheJvm(c);
    }

    @Test
    void podMonitorSelectsBothDaemonSetsAndNamesTheJobLeakwatch() {
        PodMonitor monitor = (PodMonitor) KubernetesManifests.read(POD_MONITOR).get(0).object();
        Map<String, String> selector = monitor.getSpec().getSelector().getMatchLabels();
        for (Path file : List.of(LINUX, WINDOWS)) {
            DaemonSet ds = daemonSet(file);
            Map<String, String> labels = ds.getSpec().getTemplate().getMetadata().getLabels();
            assertTrue(labels.entrySet().containsAll(selector.entrySet()), file.getFileName() + " pods " + labels + " vs " + selector);
            assertEquals(ds.getMetadata().getNamespace(), monitor.getMetadata().getNamespace());
            String portName = monitor.getSpec().getPodMetricsEndpoints().get(0).getPort();
            assertTrue(ds.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                    .anyMatch(p -> portName.equals(p.getName())), "port " + portName + " in " + file.getFileName());
        }
        // the shipped alerts look for job="leakwatch"
        assertEquals("leakwatch", selector.get(monitor.getSpec().getJobLabel()));
    }

    private static DaemonSet daemonSet(Path file) {
        List<KubernetesManifests.Read> reads = KubernetesManifests.read(file);
        assertEquals(1, reads.size(), file.toString());
        assertEquals(List.of(), reads.get(0).problems());
        return (DaemonSet) reads.get(0).object();
    }

    private static VolumeMount mount(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    private static void assertProbesOnHealth(Container c) {
        int port = c.getPorts().get(0).getContainerPort();
        for (Probe probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
            assertNotNull(probe, "startup, liveness and readiness probes");
            HTTPGetAction get = probe.getHttpGet();
            assertEquals("/health", get.getPath());
            boolean samePort = get.getPort().getIntVal() != null ? get.getPort().getIntVal() == port
                    : c.getPorts().stream().anyMatch(p -> get.getPort().getStrVal().equals(p.getName()));
            assertTrue(samePort, "probe port " + get.getPort() + " is the container's " + port);
        }
    }

    /** The memory limit leaves room above what the launcher's flags let the JVM reserve. */
    private static void assertMemoryFitsTheJvm(Container c) throws IOException {
        long capped = 0;
        for (String flag : ContainerImageTest.launcherDefaults()) {
            for (String prefix : List.of("-Xmx", "-XX:MaxMetaspaceSize=", "-XX:ReservedCodeCacheSize=", "-XX:MaxDirectMemorySize=")) {
                if (flag.startsWith(prefix)) {
                    capped += Quantity.getAmountInBytes(new Quantity(flag.substring(prefix.length()).toUpperCase().replace("M", "Mi")))
                            .longValue();
                }
            }
        }
        BigDecimal limit = Quantity.getAmountInBytes(c.getResources().getLimits().get("memory"));
        BigDecimal request = Quantity.getAmountInBytes(c.getResources().getRequests().get("memory"));
        assertTrue(limit.longValue() >= capped + (64L << 20), "limit " + limit + " vs " + capped + " bytes the flags allow + native");
        assertTrue(request.longValue() >= 80_000_000L, "request " + request + " below the measured ~75 MB resident");
    }
}
