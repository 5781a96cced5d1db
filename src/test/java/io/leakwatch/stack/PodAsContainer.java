package io.leakwatch.stack;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A DaemonSet's pod as podman runs it: user, group, fsGroup, capabilities, privilege escalation,
 * seccomp and AppArmor, host PID namespace, entry point and arguments translated to podman options,
 * and its volumes made the way kubelet makes them on a node, under a folder standing for the node:
 * a hostPath directory kubelet creates (DirectoryOrCreate) is root's with mode 0755; an emptyDir has
 * mode 0777 and, with an fsGroup, that group and the setgid bit. The node's /proc is always mounted
 * read-only at /host/proc by {@link ContainerImage#start}.
 *
 * @param options podman run options
 * @param flags   the container's arguments (leakwatch flags)
 * @param volumes the folder made for each volume that is not one of the host's own files, by volume name
 */
record PodAsContainer(List<String> options, List<String> flags, Map<String, Path> volumes) {

    static PodAsContainer of(DaemonSet daemonSet, Path node) throws IOException, InterruptedException {
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        PodSecurityContext podSecurity = pod.getSecurityContext() == null ? new PodSecurityContext() : pod.getSecurityContext();
        SecurityContext security = c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
        List<String> options = new ArrayList<>(List.of("--entrypoint", StackFiles.JSON.writeValueAsString(c.getCommand())));
        Long uid = security.getRunAsUser() != null ? security.getRunAsUser() : podSecurity.getRunAsUser();
        Long gid = security.getRunAsGroup() != null ? security.getRunAsGroup() : podSecurity.getRunAsGroup();
        if (uid != null) {
            options.addAll(List.of("--user", uid + (gid != null ? ":" + gid : "")));
        }
        Long fsGroup = podSecurity.getFsGroup();
        if (fsGroup != null) {
            options.add("--group-add=" + fsGroup);
        }
        if (security.getCapabilities() != null) {
            security.getCapabilities().getDrop().forEach(cap -> options.add("--cap-drop=" + cap));
            security.getCapabilities().getAdd().forEach(cap -> options.add("--cap-add=" + cap));
        }
        assertEquals(false, security.getAllowPrivilegeEscalation(), "podman runs every container with no-new-privileges");
        assertEquals(true, security.getReadOnlyRootFilesystem(), "podman runs every container with --read-only");
        String appArmor = security.getAppArmorProfile() != null ? security.getAppArmorProfile().getType()
                : podSecurity.getAppArmorProfile() != null ? podSecurity.getAppArmorProfile().getType() : null;
        if ("Unconfined".equals(appArmor)) {
            options.add("--security-opt=apparmor=unconfined");
        }
        String seccomp = security.getSeccompProfile() != null ? security.getSeccompProfile().getType()
                : podSecurity.getSeccompProfile() != null ? podSecurity.getSeccompProfile().getType() : null;
        if ("Unconfined".equals(seccomp)) {
            options.add("--security-opt=seccomp=unconfined");
        }
        if (Boolean.TRUE.equals(pod.getHostPID())) {
            options.add("--pid=host");
        }
        Map<String, Path> made = new LinkedHashMap<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst().orElseThrow();
            String ro = Boolean.TRUE.equals(m.getReadOnly()) ? ":ro" : "";
            if (v.getHostPath() != null && m.getMountPath().equals("/host/proc")) {
                assertEquals("/proc", v.getHostPath().getPath());
                assertTrue(Boolean.TRUE.equals(m.getReadOnly()), "/proc read-only, as every container of these tests mounts it");
            } else if (v.getHostPath() != null && "File".equals(v.getHostPath().getType())) {
                options.addAll(List.of("-v", v.getHostPath().getPath() + ":" + m.getMountPath() + ro)); // the host's own passwd, group
            } else if (v.getHostPath() != null) {
                Path dir = Files.createDirectories(node.resolve(v.getName()));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // kubelet's DirectoryOrCreate: 0755, root's
                made.put(v.getName(), dir);
                options.addAll(List.of("-v", dir + ":" + m.getMountPath() + ro));
            } else if (v.getEmptyDir() != null) {
                Path dir = Files.createDirectories(node.resolve(v.getName()));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx")); // kubelet's emptyDir: 0777
                if (fsGroup != null) { // and with an fsGroup: that group, group rw, setgid
                    GroupPrincipal group = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(fsGroup.toString());
                    Files.getFileAttributeView(dir, PosixFileAttributeView.class).setGroup(group);
                    assertEquals(0, new ProcessBuilder("chmod", "g+s", dir.toString()).inheritIO().start().waitFor());
                }
                made.put(v.getName(), dir);
                options.addAll(List.of("-v", dir + ":" + m.getMountPath() + ro));
            } else {
                throw new AssertionError("no translation for volume " + v.getName() + " of type " + PodSecurityStandards.volumeType(v));
            }
        }
        return new PodAsContainer(options, new ArrayList<>(c.getArgs()), made);
    }
}
