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
import java.util.LinkedHashMap;
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
    static final Path LINUX_PRIVILEGED = DIR.resolve("leakwatch-linux-privileged.yaml");
    static final Path WINDOWS = DIR.resolve("leakwatch-windows.yaml");
    static final Path POD_MONITOR = DIR.resolve("leakwatch-podmonitor.yaml");

    @Test
    void everyManifestMatchesTheApiSchema() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(List.of(LINUX_PRIVILEGED, LINUX, POD_MONITOR, WINDOWS), files);
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
        assertRejected(linux.replace("enableServiceLinks: false", "enableServicelinks: false"), "enableServicelinks");
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
    void linuxDaemonSetReadsTheNodesProcessesWithLeastPrivilege() throws IOException {
        PodSpec pod = daemonSet(LINUX).getSpec().getTemplate().getSpec();
        assertEquals(Map.of("kubernetes.io/os", "linux"), pod.getNodeSelector());
        assertTrue(pod.getHostPID() == null || !pod.getHostPID(), "the node's /proc is enough: no host PID namespace");
        Container c = pod.getContainers().get(0);
        Dockerfile dockerfile = Dockerfile.parse(StackFiles.DOCKER.resolve("Dockerfile"));
        assertEquals(List.of(dockerfile.last().entrypoint().get(0)), c.getCommand(), "the image's launcher");
        assertTrue(c.getArgs().contains("--path.procfs=/host/proc"), c.getArgs().toString());

        VolumeMount procMount = mount(c, "/host/proc");
        assertEquals(true, procMount.getReadOnly(), "/proc read-only");
        assertEquals("/proc", volume(pod, procMount.getName()).getHostPath().getPath());
        for (Volume v : pod.getVolumes()) {
            if (v.getHostPath() != null) {
                assertEquals(true, mount(c, v).getReadOnly(), "every node path read-only: " + v.getName());
            }
        }

        // the image's own user, no capabilities: the restricted profile's settings
        var security = c.getSecurityContext();
        var podSecurity = pod.getSecurityContext();
        String[] user = imageUser().split(":");
        assertEquals(Long.parseLong(user[0]), podSecurity.getRunAsUser(), "the image's user");
        assertEquals(Long.parseLong(user[1]), podSecurity.getRunAsGroup());
        assertEquals(Long.parseLong(user[0]), security.getRunAsUser());
        assertEquals(true, podSecurity.getRunAsNonRoot());
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop());
        assertTrue(security.getCapabilities().getAdd() == null || security.getCapabilities().getAdd().isEmpty(), "nothing added");
        assertEquals(true, security.getReadOnlyRootFilesystem());
        assertEquals(false, security.getAllowPrivilegeEscalation());
        assertEquals("RuntimeDefault", podSecurity.getSeccompProfile().getType());
        assertEquals("RuntimeDefault", podSecurity.getAppArmorProfile().getType());

        // the leak history on a volume uid 19182 can write: an emptyDir (kubelet makes it writable
        // for the pod; a hostPath it creates would be root's)
        Volume state = volume(pod, mount(c, stateDirectory(c)).getName());
        assertNotNull(state.getEmptyDir(), "the history on an emptyDir the non-root pod can write");
        assertEquals(Long.parseLong(user[1]), podSecurity.getFsGroup(), "fsGroup: the volume's group is the pod's");

        assertProbesOnHealth(c);
        assertMemoryFitsTheJvm(c);
    }

    /**
     * The privileged variant differs from the default only in what it is for: its name, root with the
     * two capabilities (the compose override's), AppArmor unconfined, and the history on the node.
     */
    @Test
    void privilegedVariantDiffersOnlyInPrivilegesAndWhereTheHistoryLives() throws IOException {
        DaemonSet plain = daemonSet(LINUX);
        DaemonSet privileged = daemonSet(LINUX_PRIVILEGED);
        assertEquals("leakwatch-linux-privileged", privileged.getMetadata().getName(), "clearly named");
        Container c = privileged.getSpec().getTemplate().getSpec().getContainers().get(0);
        var security = c.getSecurityContext();
        assertEquals(0L, security.getRunAsUser(), "root: Kubernetes gives added capabilities to root only");
        assertEquals(List.of("SYS_PTRACE", "DAC_READ_SEARCH"), security.getCapabilities().getAdd());
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop());
        assertEquals(false, security.getAllowPrivilegeEscalation());
        assertEquals(true, security.getReadOnlyRootFilesystem());
        assertEquals("RuntimeDefault", security.getSeccompProfile().getType());
        assertEquals("Unconfined", security.getAppArmorProfile().getType());
        Map<String, Object> override = new ComposeFile(StackFiles.DOCKER.resolve("docker-compose.privileged.yml")).service("leakwatch");
        assertEquals(override.get("cap_add"), security.getCapabilities().getAdd(), "the compose file's privileged variant");
        PodSpec pod = privileged.getSpec().getTemplate().getSpec();
        Volume state = volume(pod, mount(c, stateDirectory(c)).getName());
        assertEquals("DirectoryOrCreate", state.getHostPath().getType(), "root can write what kubelet creates: history across pods");

        // everything else is the same
        Container plainC = plain.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(plainC.getCommand(), c.getCommand());
        assertEquals(plainC.getArgs(), c.getArgs());
        assertEquals(plainC.getPorts(), c.getPorts());
        assertEquals(plainC.getResources(), c.getResources());
        assertEquals(List.of(plainC.getStartupProbe(), plainC.getLivenessProbe(), plainC.getReadinessProbe()),
                List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe()));
        assertEquals(plainC.getVolumeMounts(), c.getVolumeMounts());
        assertEquals(plain.getSpec().getTemplate().getSpec().getTolerations(), pod.getTolerations());
        assertEquals(plain.getSpec().getTemplate().getSpec().getNodeSelector(), pod.getNodeSelector());
        assertEquals(plain.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> !v.getName().equals(state.getName())).toList(),
                pod.getVolumes().stream().filter(v -> !v.getName().equals(state.getName())).toList());
        assertProbesOnHealth(c);
        assertMemoryFitsTheJvm(c);
    }

    /**
     * The Kubernetes Pod Security Standards: the default DaemonSet meets every control of the
     * "restricted" profile except the two that forbid hostPath volumes (baseline's "HostPath Volumes"
     * and restricted's "Volume Types"), which no pod that reads the node's /proc can avoid
     * (node-exporter has the same). The privileged variant breaks exactly the controls
     * it is named for.
     */
    @Test
    void defaultMeetsTheRestrictedProfileButForTheNodesProcAndThePrivilegedVariantSaysWhatItAdds() {
        Map<String, List<String>> plain = PodSecurityStandards.restricted(daemonSet(LINUX).getSpec().getTemplate());
        assertEquals(Map.of("HostPath Volumes", List.of("volume proc: hostPath /proc", "volume passwd: hostPath /etc/passwd",
                        "volume group: hostPath /etc/group"),
                "Volume Types", List.of("volume proc: hostPath", "volume passwd: hostPath", "volume group: hostPath")),
                plain, "restricted profile violations of the default: the node's files, read-only, and nothing else");

        Map<String, List<String>> privileged = PodSecurityStandards.restricted(daemonSet(LINUX_PRIVILEGED).getSpec().getTemplate());
        assertEquals(List.of("Capabilities", "AppArmor", "HostPath Volumes", "Volume Types", "Running as Non-root",
                "Running as Non-root user", "Capabilities (restricted)").stream().sorted().toList(),
                privileged.keySet().stream().sorted().toList(), privileged.toString());
        assertEquals(List.of("container leakwatch: adds SYS_PTRACE", "container leakwatch: adds DAC_READ_SEARCH"),
                privileged.get("Capabilities"));

        // Windows: a HostProcess pod on the node's network, like windows_exporter's: privileged by nature
        Map<String, List<String>> windows = PodSecurityStandards.baseline(daemonSet(WINDOWS).getSpec().getTemplate());
        assertEquals(List.of("Host Namespaces", "Host Ports", "HostProcess").stream().sorted().toList(),
                windows.keySet().stream().sorted().toList(), windows.toString());
    }

    /** Each control of the check must be able to say no, or the test above proves nothing. */
    @Test
    void theRestrictedCheckCatchesEachControl() throws IOException {
        String linux = Files.readString(LINUX);
        String securityContext = "          securityContext:\n            runAsNonRoot: true\n";
        Map<String, String> mutations = new LinkedHashMap<>();
        mutations.put("Host Namespaces", linux.replace("      automountServiceAccountToken: false", "      hostPID: true\n      automountServiceAccountToken: false"));
        mutations.put("Privileged Containers", linux.replace(securityContext, securityContext + "            privileged: true\n"));
        mutations.put("Capabilities", linux.replace("              drop: [\"ALL\"]", "              drop: [\"ALL\"]\n              add: [\"SYS_ADMIN\"]"));
        mutations.put("AppArmor", linux.replace("        appArmorProfile:\n          type: RuntimeDefault", "        appArmorProfile:\n          type: Unconfined"));
        mutations.put("Seccomp", linux.replace("        seccompProfile:\n          type: RuntimeDefault\n        appArmorProfile",
                "        seccompProfile:\n          type: Unconfined\n        appArmorProfile"));
        mutations.put("/proc Mount Type", linux.replace(securityContext, securityContext + "            procMount: Unmasked\n"));
        mutations.put("SELinux", linux.replace(securityContext, securityContext + "            seLinuxOptions:\n              type: spc_t\n"));
        mutations.put("Sysctls", linux.replace("        fsGroup: 19182", "        fsGroup: 19182\n        sysctls:\n          - {name: kernel.msgmax, value: \"1\"}"));
        mutations.put("Host Ports", linux.replace("              containerPort: 9182", "              containerPort: 9182\n              hostPort: 9182"));
        mutations.put("HostProcess", linux.replace("        fsGroup: 19182", "        fsGroup: 19182\n        windowsOptions:\n          hostProcess: true"));
        mutations.put("Volume Types", linux.replace("          emptyDir:\n            sizeLimit: 32Mi", "          nfs:\n            server: nfs.example\n            path: /x"));
        mutations.put("Privilege Escalation", linux.replace("            allowPrivilegeEscalation: false\n", ""));
        mutations.put("Running as Non-root", linux.replace("runAsNonRoot: true", "runAsNonRoot: false"));
        mutations.put("Running as Non-root user", linux.replace("            runAsUser: 19182", "            runAsUser: 0"));
        mutations.put("Seccomp (restricted)", linux.replace("        seccompProfile:\n          type: RuntimeDefault\n        appArmorProfile", "        appArmorProfile")
                .replace("            seccompProfile:\n              type: RuntimeDefault\n", ""));
        mutations.put("Capabilities (restricted)", linux.replace("              drop: [\"ALL\"]", "              drop: [\"NET_RAW\"]"));
        for (Map.Entry<String, String> m : mutations.entrySet()) {
            assertFalse(m.getValue().equals(linux), "the mutation for " + m.getKey() + " changed nothing");
            List<KubernetesManifests.Read> reads = KubernetesManifests.read(Path.of("mutated.yaml"), m.getValue());
            assertEquals(List.of(), reads.get(0).problems(), m.getKey());
            Map<String, List<String>> found = PodSecurityStandards.restricted(((DaemonSet) reads.get(0).object()).getSpec().getTemplate());
            assertTrue(found.containsKey(m.getKey()), m.getKey() + " not caught: " + found);
        }
    }

    private static String imageUser() throws IOException {
        return Files.readAllLines(StackFiles.DOCKER.resolve("Dockerfile")).stream().filter(l -> l.startsWith("USER "))
                .map(l -> l.substring(5).trim()).reduce((a, b) -> b).orElseThrow();
    }

    /** Where the volume that holds --leak.state-file is mounted. */
    private static String stateDirectory(Container c) {
        Path stateFile = Path.of(c.getArgs().stream().filter(a -> a.startsWith("--leak.state-file=")).findFirst().orElseThrow()
                .substring("--leak.state-file=".length()));
        return c.getVolumeMounts().stream().map(VolumeMount::getMountPath).filter(m -> stateFile.startsWith(m)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume holds " + stateFile));
    }

    private static VolumeMount mount(Container c, Volume v) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(v.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("volume " + v.getName() + " not mounted"));
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
        // beside windows_exporter's DaemonSet, which holds 9182 on the node's network
        ContainerPort port = c.getPorts().get(0);
        assertEquals(9183, port.getContainerPort());
        assertEquals(9183, port.getHostPort());
        assertTrue(c.getArgs().contains("--web.listen-address=:9183"), c.getArgs().toString());
        String firewall = String.join(" ", pod.getInitContainers().get(0).getArgs());
        assertTrue(firewall.contains("-LocalPort 9183 "), firewall);
        // Windows nodes are commonly tainted (os=windows:NoSchedule): tolerate them, as the Linux DaemonSet does
        assertEquals(daemonSet(LINUX).getSpec().getTemplate().getSpec().getTolerations(), pod.getTolerations());
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null),
                "tolerates every taint: " + pod.getTolerations());
        assertProbesOnHealth(c);
        assertMemoryFitsTheJvm(c);
    }

    @Test
    void podMonitorSelectsBothDaemonSetsAndNamesTheJobLeakwatch() {
        PodMonitor monitor = (PodMonitor) KubernetesManifests.read(POD_MONITOR).get(0).object();
        Map<String, String> selector = monitor.getSpec().getSelector().getMatchLabels();
        for (Path file : List.of(LINUX, LINUX_PRIVILEGED, WINDOWS)) {
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
        // instance = the node's name, host_ip = its IP: the rules join node memory in either common stack
        Map<String, String> relabel = new java.util.HashMap<>();
        monitor.getSpec().getPodMetricsEndpoints().get(0).getRelabelings()
                .forEach(r -> relabel.put(r.getTargetLabel(), String.join(",", r.getSourceLabels())));
        assertEquals("__meta_kubernetes_pod_node_name", relabel.get("instance"));
        assertEquals("__meta_kubernetes_pod_host_ip", relabel.get("host_ip"));
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
