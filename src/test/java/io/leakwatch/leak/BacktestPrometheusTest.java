package io.leakwatch.leak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.testing.Promtool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code leakwatch backtest --prometheus.url} against a real Prometheus (Debian's prometheus, on loopback): days of
 * process history backfilled with {@code promtool tsdb create-blocks-from openmetrics} on two hosts (a leak under a
 * daily swing 20 times its growth, and a pool of 8 workers with one leaker), then replayed from the server. The verdict
 * changes must be exactly those of the evaluation's own replay of the same samples.
 */
@Tag("system")
class BacktestPrometheusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path work;
    private static Process prometheus;
    private static int port;
    private static final List<Host> hosts = new ArrayList<>();

    /** One host's run, moved to end within the last day (whole days, so its hours of the day stay). */
    private record Host(String instance, LeakCorpus.Run run, LeakEvaluation.Recording recording) {
    }

    @BeforeAll
    static void backfillAndStart() throws Exception {
        double now = System.currentTimeMillis() / 1000.0;
        for (String[] h : new String[][]{{"web1:9182", "daily-load-20x-leak"}, {"app2:9182", "pool-one-leaker"}}) {
            LeakCorpus.Run r = LeakRealDaysTest.scenario(h[1]).run(LeakCorpus.HELD_OUT_SEEDS[0]);
            double days = Math.floor((now - 3600 - (r.startSeconds() + r.durationSeconds())) / LeakCorpus.DAY);
            LeakCorpus.Run shifted = new LeakCorpus.Run(r.startSeconds() + days * LeakCorpus.DAY, r.durationSeconds(), r.processes(),
                    r.gaps(), r.exporterRestarts(), r.hostMemory());
            hosts.add(new Host(h[0], shifted, new LeakEvaluation.Recording(shifted)));
        }
        Path om = work.resolve("history.om");
        try (var w = Files.newBufferedWriter(om)) {
            RecordedJson.writeOpenMetrics(hosts.stream().map(Host::recording).toList(), hosts.stream().map(Host::instance).toList(), w);
        }
        Path data = work.resolve("data");
        Process backfill = new ProcessBuilder(Promtool.binary(), "tsdb", "create-blocks-from", "openmetrics", om.toString(),
                data.toString()).redirectErrorStream(true).redirectOutput(work.resolve("backfill.log").toFile()).start();
        assertTrue(backfill.waitFor(5, TimeUnit.MINUTES), "promtool backfill hung");
        assertEquals(0, backfill.exitValue(), Files.readString(work.resolve("backfill.log")));
        Path config = Files.writeString(work.resolve("prometheus.yml"), "global: {scrape_interval: 1m}\nscrape_configs: []\n");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + data,
                "--storage.tsdb.retention.time=30d", "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            assertTrue(System.nanoTime() < deadline && prometheus.isAlive(), "Prometheus did not start: "
                    + Files.readString(work.resolve("prometheus.log")));
            Thread.sleep(250);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    @Test
    void aBacktestFromTheServerGivesTheEvaluationsVerdicts() throws Exception {
        double start = hosts.stream().mapToDouble(h -> h.run().startSeconds()).min().orElseThrow() - 600;
        double end = hosts.stream().mapToDouble(h -> h.run().startSeconds() + h.run().durationSeconds()).max().orElseThrow();
        long t0 = System.nanoTime();
        BacktestCommandTest.Result r = BacktestCommandTest.run("--prometheus.url=http://127.0.0.1:" + port, "--selector={job=\"windows\"}",
                String.format(Locale.ROOT, "--start=%.0f", start), String.format(Locale.ROOT, "--end=%.0f", end),
                "--host.memory=64GiB", "--output=json");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            lines.add(JSON.readTree(line));
        }
        int compared = 0;
        for (Host h : hosts) {
            List<Backtest.Change> expected = LeakEvaluation.changes(h.run(), h.recording(), LeakEvaluation.DEFAULTS);
            List<JsonNode> got = lines.stream().filter(n -> n.get("instance").asText().equals(h.instance())).toList();
            assertEquals(expected.size(), got.size(), h.instance() + ": " + r.out());
            for (int i = 0; i < expected.size(); i++) {
                Backtest.Change c = expected.get(i);
                JsonNode n = got.get(i);
                String what = h.instance() + " change " + i + ": " + n;
                assertEquals(c.timeSeconds(), n.get("time").asDouble(), 1e-3, what);
                assertEquals(c.processId(), n.get("process_id").asText(), what);
                assertEquals(c.resource(), n.get("resource").asText(), what);
                assertEquals(c.verdict(), n.get("verdict").asText(), what);
                assertEquals(c.why(), n.get("why").asText(), what);
                compared++;
            }
            assertTrue(expected.stream().anyMatch(Backtest.Change::suspect), h.instance() + " has its leak named");
        }
        System.out.printf(Locale.ROOT, "backtest from Prometheus: %d verdict changes, the same as the evaluation's, in %.1f s%n",
                compared, seconds);

        // a selector picks the series: one host only
        BacktestCommandTest.Result one = BacktestCommandTest.run("--prometheus.url=http://127.0.0.1:" + port,
                "--selector={instance=\"web1:9182\"}", String.format(Locale.ROOT, "--start=%.0f", start),
                String.format(Locale.ROOT, "--end=%.0f", end), "--output=json");
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().contains("web1:9182") && !one.out().contains("app2:9182"), one.out());
        // a selector Prometheus cannot parse: its own message, one line, exit 2
        BacktestCommandTest.Result bad = BacktestCommandTest.run("--prometheus.url=http://127.0.0.1:" + port, "--selector={job=~}");
        assertEquals(2, bad.code(), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(bad.err().contains("Prometheus answered with an error"), bad.err());
    }
}
