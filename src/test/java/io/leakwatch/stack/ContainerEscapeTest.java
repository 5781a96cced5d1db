package io.leakwatch.stack;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a leakwatch container can reach beyond its own work, tried from inside the running container
 * (podman exec, with the container's user, capabilities and mounts) against processes this test
 * starts on the host. The walk through /host/proc/PID/root leaves the container's read-only mounts
 * behind: it reaches the host's own files, and under them the host's own read-write /proc.
 * <ul>
 * <li>The privileged variant (root with SYS_PTRACE and DAC_READ_SEARCH) reads another user's I/O, as
 * it is meant to, and also reads /etc/shadow, writes a root-owned file on the host and opens a root
 * process's memory for writing: as good as root on the host, as its files say.</li>
 * <li>The default (its own uid, no capabilities) can do none of that, for root's processes and
 * another user's alike. It can for a process of its own uid, which is why the image's uid must be
 * one no other process uses.</li>
 * </ul>
 */
@Tag("system")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ContainerEscapeTest {
    private static final java.time.Duration START = java.time.Duration.ofSeconds(90);
    private static ContainerImage image;
    private static final List<Process> hostProcesses = new ArrayList<>();
    private static Process rootProcess;
    private static Process otherUsersProcess;
    private static Process sameUidProcess;

    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        Podman.require("podman", "runc", "mmdebstrap");
        image = ContainerImage.shared();
        rootProcess = hostProcess(List.of("sleep", "600"));
        otherUsersProcess = hostProcess(List.of("setpriv", "--reuid=12345", "--regid=12345", "--clear-groups", "sleep", "600"));
        String uid = ContainerImageTest.imageUser().split(":")[0];
        sameUidProcess = hostProcess(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "sleep", "600"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Process hostProcess(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).start();
        hostProcesses.add(p);
        return p;
    }

    @AfterEach
    void removeContainers() {
        if (image != null) {
            image.removeContainers();
        }
    }

    @AfterAll
    static void stopHostProcesses() {
        hostProcesses.forEach(Process::destroyForcibly);
    }

    @Test
    void thePrivilegedVariantReachesTheHostsFilesAndMemory() throws Exception {
        Path hostFile = work.resolve("written-by-privileged");
        Map<String, Boolean> can = probe(KubernetesManifestsTest.LINUX_PRIVILEGED, hostFile);
        assertTrue(can.get("io of another user"), "what it is for: " + can);
        assertTrue(can.get("read /etc/shadow through a root process's root"), can.toString());
        assertTrue(can.get("write a host file through a root process's root"), can.toString());
        assertTrue(Files.isRegularFile(hostFile), "the file is on the host: " + hostFile);
        assertEquals("root", Files.getOwner(hostFile).getName(), "written as root");
        assertTrue(can.get("open a root process's memory for writing"), can.toString());
    }

    @Test
    void theDefaultReachesNothingOfRootsOrAnotherUsersProcesses() throws Exception {
        Path hostFile = work.resolve("written-by-default");
        Map<String, Boolean> can = probe(KubernetesManifestsTest.LINUX, hostFile);
        for (String what : List.of("io of another user", "read /etc/shadow through a root process's root",
                "write a host file through a root process's root", "open a root process's memory for writing",
                "read the host's files through another user's process's root", "read another user's process's memory")) {
            assertFalse(can.get(what), what + ": " + can);
        }
        assertFalse(Files.exists(hostFile));
        // the residual risk the docs name: a process of leakwatch's own uid is reachable
        assertTrue(can.get("read the host's files through a same-uid process's root"), can.toString());
    }

    /** Runs the DaemonSet's pod (translated to podman) and tries each reach from inside it. */
    private Map<String, Boolean> probe(Path daemonSet, Path hostFile) throws Exception {
        PodAsContainer pod = PodAsContainer.of(ContainerImageTest.daemonSet(daemonSet), work.resolve("node-" + daemonSet.getFileName()));
        ContainerImage.Container c = image.start(pod.options(), pod.flags()).awaitHealthy(START);
        Map<String, String> tries = new LinkedHashMap<>();
        long root = rootProcess.pid();
        long other = otherUsersProcess.pid();
        long same = sameUidProcess.pid();
        tries.put("io of another user", "read -r l < /host/proc/" + other + "/io");
        tries.put("read /etc/shadow through a root process's root", "read -r l < /host/proc/" + root + "/root/etc/shadow");
        tries.put("write a host file through a root process's root", "echo x > /host/proc/" + root + "/root" + hostFile);
        tries.put("open a root process's memory for writing", "exec 3<> /host/proc/" + root + "/root/proc/" + root + "/mem");
        tries.put("read the host's files through another user's process's root", "read -r l < /host/proc/" + other + "/root/etc/hostname");
        tries.put("read another user's process's memory", "exec 3< /host/proc/" + other + "/mem");
        tries.put("read the host's files through a same-uid process's root", "read -r l < /host/proc/" + same + "/root/etc/hostname");
        Map<String, Boolean> can = new LinkedHashMap<>();
        for (Map.Entry<String, String> t : tries.entrySet()) {
            Command.Result r = c.exec("/bin/bash", "-c", t.getValue());
            can.put(t.getKey(), r.ok());
        }
        System.out.printf("%s can: %s%n", daemonSet.getFileName(), can);
        return can;
    }
}
