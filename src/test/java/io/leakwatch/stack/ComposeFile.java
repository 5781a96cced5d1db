package io.leakwatch.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One docker-compose file and the checks that tie it to the repository (paths, ports, namespaces). */
final class ComposeFile {
    private final Path file;
    private final Path dir;
    private final Map<String, Object> doc;

    ComposeFile(Path file) {
        this(file, StackFiles.yaml(file));
    }

    private ComposeFile(Path file, Map<String, Object> doc) {
        this.file = file;
        this.dir = file.getParent();
        this.doc = doc;
    }

    /**
     * {@code docker compose -f base -f override}: as Compose merges files, mappings merge key by key,
     * sequences (cap_add, security_opt, volumes, ...) get the override's items appended, and any
     * other value is replaced.
     */
    static ComposeFile merged(Path base, Path override) {
        return new ComposeFile(Path.of(base.getParent().toString(), base.getFileName() + "+" + override.getFileName()),
                merge(StackFiles.yaml(base), StackFiles.yaml(override)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> out = new java.util.LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            Object old = out.get(key);
            if (old instanceof Map<?, ?> m && value instanceof Map<?, ?> v) {
                out.put(key, merge((Map<String, Object>) m, (Map<String, Object>) v));
            } else if (old instanceof List<?> l && value instanceof List<?> v) {
                List<Object> items = new ArrayList<>(l);
                v.stream().filter(i -> !items.contains(i)).forEach(items::add);
                out.put(key, items);
            } else {
                out.put(key, value);
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) doc.get("services");
    }

    Map<String, Object> service(String name) {
        return services().get(name);
    }

    @SuppressWarnings("unchecked")
    List<String> volumes(String service) {
        return (List<String>) service(service).getOrDefault("volumes", List.of());
    }

    @SuppressWarnings("unchecked")
    List<String> command(String service) {
        return (List<String>) service(service).getOrDefault("command", List.of());
    }

    /** The service whose network namespace this one runs in (itself unless network_mode: service:X). */
    String namespaceOf(String service) {
        Object mode = service(service).get("network_mode");
        return mode instanceof String m && m.startsWith("service:") ? namespaceOf(m.substring("service:".length())) : service;
    }

    /** Where a path inside the service's container comes from on the host, through its bind mounts; null if from none. */
    Path hostPath(String service, String containerPath) {
        for (String volume : volumes(service)) {
            String[] parts = volume.split(":");
            if (!parts[0].startsWith(".")) {
                continue;
            }
            String target = parts[1];
            if (containerPath.equals(target) || containerPath.startsWith(target + "/")) {
                return dir.resolve(parts[0]).resolve(containerPath.substring(target.length()).replaceFirst("^/", "")).normalize();
            }
        }
        return null;
    }

    Path prometheusConfigOnHost(String service) {
        String config = flag(service, "--config.file");
        return config == null ? null : hostPath(service, config);
    }

    int retentionDays(String service) {
        String retention = flag(service, "--storage.tsdb.retention.time");
        return retention != null && retention.endsWith("d") ? Integer.parseInt(retention.substring(0, retention.length() - 1)) : 0;
    }

    private String flag(String service, String name) {
        return command(service).stream().filter(c -> c.startsWith(name + "=")).map(c -> c.substring(name.length() + 1))
                .findFirst().orElse(null);
    }

    /**
     * The service's container settings as podman run options: user, capabilities, security options,
     * tmpfs and volumes (the host's /proc is left to {@link ContainerImage#start}, a named volume
     * becomes the volume namedVolume gives for its name).
     */
    @SuppressWarnings("unchecked")
    List<String> podmanRunOptions(String name, java.util.function.UnaryOperator<String> namedVolume) {
        Map<String, Object> service = service(name);
        List<String> options = new ArrayList<>();
        if (service.get("user") != null) {
            options.addAll(List.of("--user", (String) service.get("user")));
        }
        ((List<String>) service.getOrDefault("cap_drop", List.of())).forEach(cap -> options.add("--cap-drop=" + cap));
        ((List<String>) service.getOrDefault("cap_add", List.of())).forEach(cap -> options.add("--cap-add=" + cap));
        for (String opt : (List<String>) service.getOrDefault("security_opt", List.of())) {
            options.add("--security-opt=" + opt.replaceFirst(":", "="));
        }
        ((List<String>) service.getOrDefault("tmpfs", List.of())).forEach(dir -> options.add("--tmpfs=" + dir));
        if ("host".equals(service.get("pid"))) {
            options.add("--pid=host");
        }
        for (String volume : volumes(name)) {
            String source = volume.split(":")[0];
            if (source.startsWith("/") && !source.equals("/proc")) {
                options.addAll(List.of("-v", volume));
            } else if (!source.startsWith("/") && !source.startsWith(".")) {
                options.addAll(List.of("-v", namedVolume.apply(source) + ":" + volume.substring(source.length() + 1)));
            }
        }
        return options;
    }

    @SuppressWarnings("unchecked")
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        String f = file.getFileName() + ": ";
        Map<String, Object> namedVolumes = (Map<String, Object>) doc.getOrDefault("volumes", Map.of());
        for (Map.Entry<String, Map<String, Object>> entry : services().entrySet()) {
            String name = entry.getKey();
            Map<String, Object> svc = entry.getValue();
            String s = f + name + ": ";
            List<Object> ports = (List<Object>) svc.getOrDefault("ports", List.of());
            for (Object port : ports) {
                if (!(port instanceof String p && p.startsWith("127.0.0.1:"))) {
                    problems.add(s + "port " + port + " is not bound to 127.0.0.1");
                }
            }
            if (svc.get("network_mode") instanceof String mode && mode.startsWith("service:")) {
                String owner = mode.substring("service:".length());
                if (!services().containsKey(owner)) {
                    problems.add(s + "network_mode names no service " + owner);
                    continue;
                }
                if (!ports.isEmpty()) {
                    problems.add(s + "publishes ports but shares " + owner + "'s network (Docker refuses that): publish them on " + owner);
                }
            }
            for (String volume : volumes(name)) {
                String source = volume.split(":")[0];
                if (source.startsWith(".")) {
                    if (!Files.exists(dir.resolve(source))) {
                        problems.add(s + "bind mount source " + source + " does not exist");
                    }
                } else if (!source.startsWith("/") && !namedVolumes.containsKey(source)) {
                    problems.add(s + "volume " + source + " is not declared");
                }
            }
            if (svc.get("build") instanceof Map<?, ?> build) {
                Path context = dir.resolve((String) build.get("context")).normalize();
                if (!Files.isRegularFile(context.resolve((String) build.get("dockerfile")))) {
                    problems.add(s + "no Dockerfile " + build.get("dockerfile") + " in context " + context);
                }
            }
            if (name.equals("leakwatch")) {
                problems.addAll(publishedOnNamespace(name, 9182, s));
            }
            String image = String.valueOf(svc.get("image"));
            if (image.startsWith("prom/prometheus:")) {
                problems.addAll(prometheusProblems(name, s));
            }
            if (image.startsWith("grafana/grafana")) {
                problems.addAll(grafanaProblems(name, s));
            }
        }
        return problems;
    }

    @SuppressWarnings("unchecked")
    private List<String> prometheusProblems(String name, String s) {
        List<String> problems = new ArrayList<>();
        Path config = prometheusConfigOnHost(name);
        if (config == null || !List.of(StackFiles.PROMETHEUS_YML, StackFiles.PROMETHEUS_WINDOWS_YML).contains(config)) {
            problems.add(s + "--config.file is not one of the shipped (and promtool-checked) configs: " + config);
            return problems;
        }
        if (retentionDays(name) < 30) {
            problems.add(s + "--storage.tsdb.retention.time shorter than 30d");
        }
        // the scrape targets must be reachable from Prometheus' network namespace
        for (Map<String, Object> job : (List<Map<String, Object>>) StackFiles.yaml(config).get("scrape_configs")) {
            for (Map<String, Object> sc : (List<Map<String, Object>>) job.get("static_configs")) {
                for (String target : (List<String>) sc.get("targets")) {
                    if (target.equals("localhost:9182") && !(services().containsKey("leakwatch")
                            && namespaceOf("leakwatch").equals(namespaceOf(name)))) {
                        problems.add(s + "scrapes localhost:9182 but no leakwatch service shares its network");
                    }
                    if (target.startsWith("host.docker.internal:")
                            && !String.valueOf(service(name).get("extra_hosts")).contains("host.docker.internal:host-gateway")) {
                        problems.add(s + "scrapes host.docker.internal without extra_hosts for Linux engines");
                    }
                }
            }
        }
        problems.addAll(publishedOnNamespace(name, 9090, s));
        return problems;
    }

    @SuppressWarnings("unchecked")
    private List<String> grafanaProblems(String name, String s) {
        List<String> problems = new ArrayList<>();
        Path provisioning = hostPath(name, "/etc/grafana/provisioning");
        if (!StackFiles.PROVISIONING.equals(provisioning)) {
            problems.add(s + "/etc/grafana/provisioning is not grafana/provisioning but " + provisioning);
            return problems;
        }
        for (Path provider : StackFiles.list(StackFiles.PROVISIONING.resolve("dashboards"), ".yml")) {
            for (Map<String, Object> p : (List<Map<String, Object>>) StackFiles.yaml(provider).get("providers")) {
                String path = (String) ((Map<String, Object>) p.get("options")).get("path");
                Path host = hostPath(name, path);
                if (host == null || !Files.isRegularFile(host.resolve(StackFiles.DASHBOARD.getFileName()))) {
                    problems.add(s + "dashboard provider path " + path + " does not hold the dashboard (mounted from " + host + ")");
                }
            }
        }
        Object home = ((Map<String, Object>) service(name).getOrDefault("environment", Map.of())).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
        if (home != null && !StackFiles.DASHBOARD.equals(hostPath(name, (String) home))) {
            problems.add(s + "home dashboard " + home + " is not grafana/dashboards/leakwatch-processes.json");
        }
        for (Path ds : StackFiles.list(StackFiles.PROVISIONING.resolve("datasources"), ".yml")) {
            for (Map<String, Object> d : (List<Map<String, Object>>) StackFiles.yaml(ds).get("datasources")) {
                if ("http://localhost:9090".equals(d.get("url"))) {
                    boolean shared = services().entrySet().stream().anyMatch(e ->
                            String.valueOf(e.getValue().get("image")).startsWith("prom/prometheus:")
                                    && namespaceOf(e.getKey()).equals(namespaceOf(name)));
                    if (!shared) {
                        problems.add(s + "datasource localhost:9090 but Prometheus is in another network namespace");
                    }
                }
            }
        }
        problems.addAll(publishedOnNamespace(name, 3000, s));
        return problems;
    }

    @SuppressWarnings("unchecked")
    private List<String> publishedOnNamespace(String name, int port, String s) {
        List<Object> ports = (List<Object>) service(namespaceOf(name)).getOrDefault("ports", List.of());
        boolean published = ports.stream().anyMatch(p -> String.valueOf(p).equals("127.0.0.1:" + port + ":" + port));
        return published ? List.of() : List.of(s + "port " + port + " is not published on " + namespaceOf(name));
    }
}
