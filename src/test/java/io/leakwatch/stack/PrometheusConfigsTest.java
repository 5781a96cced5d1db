package io.leakwatch.stack;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Prometheus configuration leakwatch ships, through promtool check config: the files in
 * prometheus/ and docker/kubernetes/, and every complete configuration shown in docs/*.md.
 * Debian's promtool is built without Kubernetes service discovery; where it says so, the
 * kubernetes_sd_configs blocks are checked here against Prometheus' documented fields and the
 * labels the pod role provides, and promtool checks the rest with file discovery in their place.
 */
@Tag("system")
class PrometheusConfigsTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final Pattern YAML_BLOCK = Pattern.compile("(?ms)^```yaml\\n(.*?)^```");
    private static final Set<String> CONFIG_KEYS = Set.of("global", "scrape_configs", "rule_files", "remote_write",
            "remote_read", "alerting", "storage", "tracing", "scrape_config_files");
    private static final Set<String> SD_ROLES = Set.of("node", "service", "pod", "endpoints", "endpointslice", "ingress");
    private static final Set<String> SD_KEYS = Set.of("role", "api_server", "kubeconfig_file", "namespaces", "selectors",
            "attach_metadata", "basic_auth", "authorization", "oauth2", "tls_config", "proxy_url", "follow_redirects");
    private static final Pattern POD_META = Pattern.compile("__meta_kubernetes_(namespace|pod_(name|ip|uid|phase|ready|node_name|host_ip"
            + "|controller_kind|controller_name|container_(name|id|image|init|port_name|port_number|port_protocol)"
            + "|(label|labelpresent|annotation|annotationpresent)_[a-zA-Z0-9_]+))");

    @TempDir
    Path work;

    @Test
    void everyShippedConfigPassesPromtool() throws IOException {
        List<Path> configs = new ArrayList<>(StackFiles.list(StackFiles.PROMETHEUS, ".yml"));
        configs.add(StackFiles.DOCKER.resolve("kubernetes/prometheus-kubernetes.yml"));
        int checked = 0;
        for (Path config : configs) {
            check(config, Files.readString(config));
            checked++;
        }
        for (Path doc : StackFiles.list(StackFiles.ROOT.resolve("docs"), ".md")) {
            int n = 0;
            for (String block : yamlBlocks(Files.readString(doc))) {
                Object parsed = new Load(LoadSettings.builder().build()).loadFromString(block);
                if (parsed instanceof Map<?, ?> map && !map.isEmpty() && CONFIG_KEYS.containsAll(map.keySet())
                        && (map.containsKey("scrape_configs") || map.containsKey("remote_write"))) {
                    Path copy = work.resolve(doc.getFileName() + "-" + (++n) + ".yml");
                    Files.writeString(copy, block);
                    check(copy, block);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 6, "configs checked: " + checked);
    }

    /** The structural check of the Kubernetes block must be able to say no. */
    @Test
    void kubernetesDiscoveryCheckRejectsMistakes() {
        Map<String, Object> good = new LinkedHashMap<>(Map.of("role", "pod"));
        assertEquals(List.of(), kubernetesProblems(List.of(good), List.of("__meta_kubernetes_pod_node_name")));
        assertFalse(kubernetesProblems(List.of(Map.of("role", "pods")), List.of()).isEmpty(), "role pods");
        assertFalse(kubernetesProblems(List.of(Map.of("role", "pod", "namespace", List.of("x"))), List.of()).isEmpty(), "namespace");
        assertFalse(kubernetesProblems(List.of(good), List.of("__meta_kubernetes_pod_nodename")).isEmpty(), "nodename");
    }

    @SuppressWarnings("unchecked")
    private void check(Path config, String text) throws IOException {
        Command.Result r = Command.run(StackFiles.ROOT, TIMEOUT, "promtool", "check", "config", config.toString());
        if (!r.ok() && r.output().contains("field kubernetes_sd_configs not found")) {
            Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
            List<String> problems = new ArrayList<>();
            for (Map<String, Object> job : (List<Map<String, Object>>) doc.get("scrape_configs")) {
                List<Map<String, Object>> sd = (List<Map<String, Object>>) job.remove("kubernetes_sd_configs");
                if (sd != null) {
                    List<String> used = new ArrayList<>();
                    for (Map<String, Object> rc : (List<Map<String, Object>>) job.getOrDefault("relabel_configs", List.of())) {
                        used.addAll((List<String>) rc.getOrDefault("source_labels", List.of()));
                    }
                    problems.addAll(kubernetesProblems(sd, used));
                    job.put("file_sd_configs", List.of(Map.of("files", List.of("kubernetes-pods-*.json"))));
                }
            }
            assertEquals(List.of(), problems, config + ": kubernetes_sd_configs");
            Path swapped = config.resolveSibling(".promtool-" + Podman.RUN + "-" + config.getFileName());
            Files.writeString(swapped, new Dump(DumpSettings.builder().build()).dumpToString(doc));
            try {
                r = Command.run(StackFiles.ROOT, TIMEOUT, "promtool", "check", "config", swapped.toString());
            } finally {
                Files.deleteIfExists(swapped);
            }
        }
        assertTrue(r.ok(), "promtool check config " + config + ":\n" + r.output());
    }

    @SuppressWarnings("unchecked")
    private static List<String> kubernetesProblems(List<? extends Map<String, Object>> sds, List<String> sourceLabels) {
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> sd : sds) {
            sd.keySet().stream().filter(k -> !SD_KEYS.contains(k)).forEach(k -> problems.add("unknown field " + k));
            if (!SD_ROLES.contains(String.valueOf(sd.get("role")))) {
                problems.add("role " + sd.get("role") + " is none of " + SD_ROLES);
            }
            if (sd.get("namespaces") instanceof Map<?, ?> ns && !Set.of("names", "own_namespace").containsAll(ns.keySet())) {
                problems.add("namespaces: " + ns.keySet());
            }
            for (Map<String, Object> selector : (List<Map<String, Object>>) sd.getOrDefault("selectors", List.of())) {
                if (!Set.of("role", "label", "field").containsAll(selector.keySet()) || !SD_ROLES.contains(String.valueOf(selector.get("role")))) {
                    problems.add("selector " + selector);
                }
            }
            if ("pod".equals(sd.get("role"))) {
                sourceLabels.stream().filter(l -> l.startsWith("__meta_kubernetes_") && !POD_META.matcher(l).matches())
                        .forEach(l -> problems.add("the pod role has no label " + l));
            }
        }
        return problems;
    }

    private static List<String> yamlBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = YAML_BLOCK.matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }
}
