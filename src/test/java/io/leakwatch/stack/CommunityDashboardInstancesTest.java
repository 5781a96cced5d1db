package io.leakwatch.stack;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.common.Version;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Community Grafana dashboards for windows_exporter list their instances with
 * {@code label_values(windows_exporter_build_info, instance)} and show an "Exporter Build Info"
 * panel from the same metric. A real Prometheus scrapes a leakwatch started with
 * --web.disable-exporter-metrics (windows_exporter serves the metric even then) and answers the
 * dashboards' queries with leakwatch's instance and version.
 */
@Tag("system")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CommunityDashboardInstancesTest {
    @TempDir
    Path work;

    @Test
    void instancePickerAndBuildInfoPanelFindLeakwatch() throws Exception {
        List<Process> started = new ArrayList<>();
        try (LocalExporter leakwatch = LocalExporter.start(List.of(LocalExporter.java(), "-cp", System.getProperty("java.class.path"),
                "io.leakwatch.Main", "--web.disable-exporter-metrics"), work.resolve("leakwatch.log"))) {
            leakwatch.awaitScrape(body -> body.contains("windows_exporter_build_info{"), Duration.ofSeconds(60));
            String instance = "127.0.0.1:" + leakwatch.port;
            int prometheusPort = LocalExporter.freePort();
            Path config = work.resolve("prometheus.yml");
            Files.writeString(config, String.join("\n",
                    "global: {scrape_interval: 1s, scrape_timeout: 1s}",
                    "scrape_configs:",
                    "  - job_name: windows",
                    "    static_configs: [{targets: ['" + instance + "']}]", ""));
            started.add(new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + work.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + prometheusPort, "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start());
            PrometheusApi api = new PrometheusApi(prometheusPort);

            // the dashboards' variable query, as Grafana sends it: the label values of the series of one metric
            List<String> instances = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!instances.contains(instance)) {
                if (System.nanoTime() > deadline || !started.get(0).isAlive() || !leakwatch.isAlive()) {
                    fail("label_values(windows_exporter_build_info, instance) offers " + instances + ", not " + instance + "\n"
                            + leakwatch.log() + "\n" + Files.readString(work.resolve("prometheus.log")));
                }
                Thread.sleep(1000);
                if (!api.ready()) {
                    continue;
                }
                double now = System.currentTimeMillis() / 1000.0;
                JsonNode answer = api.labelValues("instance", "windows_exporter_build_info", now - 300, now);
                assertEquals("success", answer.path("status").asText(), answer.toString());
                instances.clear();
                answer.path("data").forEach(n -> instances.add(n.asText()));
            }

            // an "Exporter Build Info" panel: the series of the selected instance, with its version
            JsonNode panel = api.query("windows_exporter_build_info{instance=~\"" + instance.replace(".", "\\\\.") + "\"}",
                    System.currentTimeMillis() / 1000.0);
            JsonNode series = panel.path("data").path("result");
            assertEquals(1, series.size(), panel.toString());
            assertEquals(Version.VERSION, series.get(0).path("metric").path("version").asText());
            assertEquals("1", series.get(0).path("value").get(1).asText());
            assertTrue(series.get(0).path("metric").path("goversion").asText().startsWith("java"), panel.toString());
        } finally {
            for (Process p : started) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }
}
