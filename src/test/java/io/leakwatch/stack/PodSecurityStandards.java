package io.leakwatch.stack;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes Pod Security Standards (policy version "latest", as of Kubernetes 1.30-1.33),
 * every control of the "baseline" and "restricted" profiles, as the page
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/ defines them, applied to a
 * pod template. No maintained checker runs on the JVM (the admission controller's own is Go:
 * k8s.io/pod-security-admission), so this follows that page control by control; its tests show
 * each control can say no.
 *
 * <p>A violation names the control as the page does (restricted's own capability and seccomp
 * controls carry "(restricted)") and what in the pod breaks it.
 */
final class PodSecurityStandards {
    /** Capabilities baseline lets a container add (the runtime defaults that are not dangerous). */
    static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
            "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
    static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
    static final Set<String> SELINUX_TYPES = Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");
    static final Set<String> RESTRICTED_VOLUME_TYPES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
            "persistentVolumeClaim", "projected", "secret");
    private static final String APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

    private PodSecurityStandards() {
    }

    /** One container of any kind (containers, initContainers, ephemeralContainers). */
    private record AnyContainer(String kind, String name, SecurityContext security, List<Integer> hostPorts) {
        String id() {
            return kind + " " + name;
        }
    }

    /** Violations of the baseline profile, by control. */
    static Map<String, List<String>> baseline(PodTemplateSpec template) {
        PodSpec pod = template.getSpec();
        PodSecurityContext podSecurity = pod.getSecurityContext() == null ? new PodSecurityContext() : pod.getSecurityContext();
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<AnyContainer> containers = containers(pod);

        if (podSecurity.getWindowsOptions() != null && Boolean.TRUE.equals(podSecurity.getWindowsOptions().getHostProcess())) {
            add(out, "HostProcess", "spec.securityContext.windowsOptions.hostProcess=true");
        }
        for (AnyContainer c : containers) {
            if (c.security() != null && c.security().getWindowsOptions() != null
                    && Boolean.TRUE.equals(c.security().getWindowsOptions().getHostProcess())) {
                add(out, "HostProcess", c.id() + ": windowsOptions.hostProcess=true");
            }
        }
        if (Boolean.TRUE.equals(pod.getHostNetwork())) {
            add(out, "Host Namespaces", "hostNetwork=true");
        }
        if (Boolean.TRUE.equals(pod.getHostPID())) {
            add(out, "Host Namespaces", "hostPID=true");
        }
        if (Boolean.TRUE.equals(pod.getHostIPC())) {
            add(out, "Host Namespaces", "hostIPC=true");
        }
        for (AnyContainer c : containers) {
            SecurityContext s = c.security();
            if (s != null && Boolean.TRUE.equals(s.getPrivileged())) {
                add(out, "Privileged Containers", c.id() + ": privileged=true");
            }
            for (String cap : added(s)) {
                if (!BASELINE_CAPABILITIES.contains(cap)) {
                    add(out, "Capabilities", c.id() + ": adds " + cap);
                }
            }
            for (int port : c.hostPorts()) {
                if (port != 0) {
                    add(out, "Host Ports", c.id() + ": hostPort " + port);
                }
            }
            if (s != null && s.getAppArmorProfile() != null && !allowedAppArmor(s.getAppArmorProfile().getType())) {
                add(out, "AppArmor", c.id() + ": appArmorProfile " + s.getAppArmorProfile().getType());
            }
            if (s != null) {
                seLinux(out, c.id(), s.getSeLinuxOptions());
            }
            if (s != null && s.getProcMount() != null && !s.getProcMount().equals("Default")) {
                add(out, "/proc Mount Type", c.id() + ": procMount " + s.getProcMount());
            }
            if (s != null && s.getSeccompProfile() != null && "Unconfined".equals(s.getSeccompProfile().getType())) {
                add(out, "Seccomp", c.id() + ": seccompProfile Unconfined");
            }
        }
        for (Volume v : pod.getVolumes()) {
            if (v.getHostPath() != null) {
                add(out, "HostPath Volumes", "volume " + v.getName() + ": hostPath " + v.getHostPath().getPath());
            }
        }
        if (podSecurity.getAppArmorProfile() != null && !allowedAppArmor(podSecurity.getAppArmorProfile().getType())) {
            add(out, "AppArmor", "spec.securityContext.appArmorProfile " + podSecurity.getAppArmorProfile().getType());
        }
        Map<String, String> annotations = template.getMetadata() == null || template.getMetadata().getAnnotations() == null
                ? Map.of() : template.getMetadata().getAnnotations();
        annotations.forEach((k, v) -> {
            if (k.startsWith(APPARMOR_ANNOTATION) && !v.equals("runtime/default") && !v.startsWith("localhost/")) {
                add(out, "AppArmor", "annotation " + k + ": " + v);
            }
        });
        seLinux(out, "spec.securityContext", podSecurity.getSeLinuxOptions());
        if (podSecurity.getSeccompProfile() != null && "Unconfined".equals(podSecurity.getSeccompProfile().getType())) {
            add(out, "Seccomp", "spec.securityContext.seccompProfile Unconfined");
        }
        if (podSecurity.getSysctls() != null) {
            podSecurity.getSysctls().forEach(s -> {
                if (!SAFE_SYSCTLS.contains(s.getName())) {
                    add(out, "Sysctls", "sysctl " + s.getName());
                }
            });
        }
        return out;
    }

    /** Violations of the restricted profile: baseline's, plus restricted's own controls. */
    static Map<String, List<String>> restricted(PodTemplateSpec template) {
        Map<String, List<String>> out = baseline(template);
        PodSpec pod = template.getSpec();
        PodSecurityContext podSecurity = pod.getSecurityContext() == null ? new PodSecurityContext() : pod.getSecurityContext();
        List<AnyContainer> containers = containers(pod);
        boolean windows = pod.getOs() != null && "windows".equals(pod.getOs().getName());

        for (Volume v : pod.getVolumes()) {
            String type = volumeType(v);
            if (!RESTRICTED_VOLUME_TYPES.contains(type)) {
                add(out, "Volume Types", "volume " + v.getName() + ": " + type);
            }
        }
        if (!windows) {
            for (AnyContainer c : containers) {
                if (c.security() == null || !Boolean.FALSE.equals(c.security().getAllowPrivilegeEscalation())) {
                    add(out, "Privilege Escalation", c.id() + ": allowPrivilegeEscalation is not false");
                }
            }
        }
        boolean podNonRoot = Boolean.TRUE.equals(podSecurity.getRunAsNonRoot());
        for (AnyContainer c : containers) {
            Boolean own = c.security() == null ? null : c.security().getRunAsNonRoot();
            if (Boolean.FALSE.equals(own) || (own == null && !podNonRoot)) {
                add(out, "Running as Non-root", c.id() + ": runAsNonRoot is not true (in the container or the pod)");
            }
        }
        if (Long.valueOf(0).equals(podSecurity.getRunAsUser())) {
            add(out, "Running as Non-root user", "spec.securityContext.runAsUser=0");
        }
        for (AnyContainer c : containers) {
            if (c.security() != null && Long.valueOf(0).equals(c.security().getRunAsUser())) {
                add(out, "Running as Non-root user", c.id() + ": runAsUser=0");
            }
        }
        if (!windows) {
            boolean podSeccomp = podSecurity.getSeccompProfile() != null && allowedSeccomp(podSecurity.getSeccompProfile().getType());
            for (AnyContainer c : containers) {
                SecurityContext s = c.security();
                String own = s == null || s.getSeccompProfile() == null ? null : s.getSeccompProfile().getType();
                if (own == null ? !podSeccomp : !allowedSeccomp(own)) {
                    add(out, "Seccomp (restricted)", c.id() + ": seccompProfile " + (own == null ? "unset (and not set in the pod)" : own));
                }
            }
            for (AnyContainer c : containers) {
                SecurityContext s = c.security();
                Capabilities caps = s == null ? null : s.getCapabilities();
                if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
                    add(out, "Capabilities (restricted)", c.id() + ": does not drop ALL");
                }
                for (String cap : added(s)) {
                    if (!cap.equals("NET_BIND_SERVICE")) {
                        add(out, "Capabilities (restricted)", c.id() + ": adds " + cap);
                    }
                }
            }
        }
        return out;
    }

    private static List<AnyContainer> containers(PodSpec pod) {
        List<AnyContainer> all = new ArrayList<>();
        pod.getContainers().forEach(c -> all.add(new AnyContainer("container", c.getName(), c.getSecurityContext(),
                c.getPorts().stream().map(p -> p.getHostPort() == null ? 0 : p.getHostPort()).toList())));
        pod.getInitContainers().forEach(c -> all.add(new AnyContainer("initContainer", c.getName(), c.getSecurityContext(),
                c.getPorts().stream().map(p -> p.getHostPort() == null ? 0 : p.getHostPort()).toList())));
        pod.getEphemeralContainers().forEach(c -> all.add(new AnyContainer("ephemeralContainer", c.getName(), c.getSecurityContext(),
                c.getPorts().stream().map(p -> p.getHostPort() == null ? 0 : p.getHostPort()).toList())));
        return all;
    }

    private static List<String> added(SecurityContext s) {
        return s == null || s.getCapabilities() == null || s.getCapabilities().getAdd() == null ? List.of() : s.getCapabilities().getAdd();
    }

    private static boolean allowedAppArmor(String type) {
        return type == null || type.equals("RuntimeDefault") || type.equals("Localhost");
    }

    private static boolean allowedSeccomp(String type) {
        return "RuntimeDefault".equals(type) || "Localhost".equals(type);
    }

    private static void seLinux(Map<String, List<String>> out, String where, SELinuxOptions options) {
        if (options == null) {
            return;
        }
        if (options.getType() != null && !SELINUX_TYPES.contains(options.getType())) {
            add(out, "SELinux", where + ": seLinuxOptions.type " + options.getType());
        }
        if (options.getUser() != null && !options.getUser().isEmpty()) {
            add(out, "SELinux", where + ": seLinuxOptions.user " + options.getUser());
        }
        if (options.getRole() != null && !options.getRole().isEmpty()) {
            add(out, "SELinux", where + ": seLinuxOptions.role " + options.getRole());
        }
    }

    /** The volume's source field: the one set besides its name. */
    static String volumeType(Volume v) {
        for (Method getter : Volume.class.getMethods()) {
            String name = getter.getName();
            if (getter.getParameterCount() != 0 || !name.startsWith("get") || name.equals("getName") || name.equals("getClass")
                    || name.equals("getAdditionalProperties")) {
                continue;
            }
            try {
                if (getter.invoke(v) != null) {
                    return Character.toLowerCase(name.charAt(3)) + name.substring(4);
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return "(none)";
    }

    private static void add(Map<String, List<String>> out, String control, String what) {
        out.computeIfAbsent(control, k -> new ArrayList<>()).add(what);
    }
}
