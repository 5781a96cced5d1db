package io.leakwatch.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The shipped files of prometheus/, grafana/ and docker/, read the way their tools read them. */
final class StackFiles {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    static final Path PROMETHEUS = ROOT.resolve("prometheus");
    static final Path PROMETHEUS_YML = PROMETHEUS.resolve("prometheus.yml");
    static final Path PROMETHEUS_WINDOWS_YML = PROMETHEUS.resolve("prometheus-windows-host.yml");
    static final Path RULES = PROMETHEUS.resolve("rules");
    static final Path RULE_TESTS = PROMETHEUS.resolve("tests");
    static final Path DASHBOARD = ROOT.resolve("grafana/dashboards/leakwatch-processes.json");
    static final Path PROVISIONING = ROOT.resolve("grafana/provisioning");
    static final Path DOCKER = ROOT.resolve("docker");

    static final ObjectMapper JSON = new ObjectMapper();

    private StackFiles() {
    }

    static List<Path> ruleFiles() {
        return list(RULES, ".yml");
    }

    static List<Path> ruleTestFiles() {
        return list(RULE_TESTS, ".test.yml");
    }

    static List<Path> composeFiles() {
        return list(DOCKER, ".yml").stream().filter(p -> p.getFileName().toString().startsWith("docker-compose")).toList();
    }

    static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        try {
            return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every rule of every shipped rule file, as the YAML maps Prometheus reads. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rules() {
        return ruleFiles().stream()
                .flatMap(f -> ((List<Map<String, Object>>) yaml(f).get("groups")).stream())
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream())
                .toList();
    }
}
