package io.leakwatch.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shipped stack for real: leakwatch (the built classes, as its own JVM) and Debian's
 * Prometheus with the shipped prometheus.yml and rules (only addresses and paths changed), both
 * on loopback ephemeral ports, plus a small process that leaks on purpose. Once Prometheus has
 * scraped a few times and evaluated every rule group, every query of every dashboard panel and
 * every rule runs through Prometheus' HTTP API.
 */
@Tag("system")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StackEndToEndTest {
    private static final String LEAKER_NAME = "lw-leaker";
    /** Grows by 1 MiB every half second up to 240 MiB, names itself, and exits after 4 minutes. */
    private static final String LEAKER = String.join("\n",
            "import ctypes, time",
            "ctypes.CDLL(None).prctl(15, b'" + LEAKER_NAME + "', 0, 0, 0)",
            "held = []",
            "end = time.time() + 240",
            "while time.time() < end:",
            "    if len(held) < 240:",
            "        held.append(b'\\x01' * (1 << 20))",
            "    time.sleep(0.5)");
    private static final Duration STARTUP = Duration.ofSeconds(150);
    private static final Map<String, String> BUILT_INS = Map.of(
            "__rate_interval", "1m", "__interval", "15s", "__range", "5m", "__range_s", "300");
    /**
     * Panels and recording rules that may rightly show nothing on a healthy machine (e.g. a list of
     * leak suspects), each with its reason. Everything else must return data here.
     */
    private static final Map<String, String> MAY_BE_EMPTY = Map.of(
            "Leak suspects (leakwatch verdict)", "a verdict needs half of --leak.window of history; none exists in a short run",
            "Private bytes of leak suspects", "same: no process is a suspect yet",
            "instance_process:windows_process_private_bytes:min5h", "it reads the hourly floor at whole half hours: nothing until "
                    + "the first half hour after the floor started (checked below with a one-minute step)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\$(\\w+)|\\[\\[(\\w+)]]");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((?:(.*),\\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\\)$");

    @TempDir
    static Path work;
    private static final List<Process> started = new ArrayList<>();
    private static LocalExporter leakwatch;
    private static PrometheusApi api;
    private static HttpServer nodeExporter;
    private static int leakwatchPort;
    private static final Dashboard dashboard = Dashboard.shipped();

    @BeforeAll
    static void startStack() throws Exception {
        started.add(new ProcessBuilder("python3", "-c", LEAKER).redirectErrorStream(true)
                .redirectOutput(work.resolve("leaker.log").toFile()).start());

        leakwatch = LocalExporter.start(List.of(LocalExporter.java(), "-cp", System.getProperty("java.class.path"),
                "io.leakwatch.Main"), work.resolve("leakwatch.log"));
        leakwatchPort = leakwatch.port;
        leakwatch.awaitScrape(body -> body.contains("windows_process_info{"), Duration.ofSeconds(60));

        // what node_exporter would report for this host: its memory, the one series the rules take from it
        nodeExporter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        nodeExporter.createContext("/metrics", exchange -> {
            byte[] body = ("node_memory_MemTotal_bytes " + hostMemoryBytes() + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        nodeExporter.start();

        int prometheusPort = LocalExporter.freePort();
        Path config = work.resolve("prometheus.yml");
        Map<String, Object> cfg = adjustedConfig(Map.of("localhost:9182", "127.0.0.1:" + leakwatchPort, "localhost:9090", "127.0.0.1:" + prometheusPort));
        addNodeJob(cfg, "127.0.0.1:" + nodeExporter.getAddress().getPort());
        Files.writeString(config, StackFiles.JSON.writeValueAsString(cfg));
        started.add(new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start());
        api = new PrometheusApi(prometheusPort);
        waitFor("Prometheus /-/ready", api::ready, Duration.ofSeconds(60));
        waitFor("three scrapes of leakwatch and every rule group evaluated", StackEndToEndTest::scrapedAndEvaluated, STARTUP);
    }

    /** The job prometheus.yml shows commented out, for node_exporter on this host. */
    @SuppressWarnings("unchecked")
    private static void addNodeJob(Map<String, Object> cfg, String target) {
        List<Map<String, Object>> jobs = new ArrayList<>((List<Map<String, Object>>) cfg.get("scrape_configs"));
        jobs.add(Map.of("job_name", "node", "static_configs", List.of(Map.of("targets", List.of(target)))));
        cfg.put("scrape_configs", jobs);
    }

    static long hostMemoryBytes() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopStack() throws InterruptedException {
        if (nodeExporter != null) {
            nodeExporter.stop(0);
        }
        if (leakwatch != null) {
            leakwatch.close();
        }
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** The shipped prometheus.yml with its known targets moved to the test's ports and rule paths made absolute. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> adjustedConfig(Map<String, String> targets) {
        Map<String, Object> cfg = StackFiles.yaml(StackFiles.PROMETHEUS_YML);
        cfg.put("rule_files", ((List<String>) cfg.get("rule_files")).stream()
                .map(f -> StackFiles.PROMETHEUS.resolve(f).toString()).toList());
        for (Map<String, Object> job : (List<Map<String, Object>>) cfg.get("scrape_configs")) {
            for (String key : job.keySet()) {
                assertTrue(List.of("job_name", "static_configs").contains(key) || !key.endsWith("_sd_configs"),
                        "the test knows only static targets, not " + key);
            }
            for (Map<String, Object> sc : (List<Map<String, Object>>) job.get("static_configs")) {
                sc.put("targets", ((List<String>) sc.get("targets")).stream().map(t -> {
                    assertTrue(targets.containsKey(t), "unknown target " + t + " in prometheus.yml");
                    return targets.get(t);
                }).toList());
            }
        }
        return cfg;
    }

    @Test
    void variableQueriesFindTheScrapedTargetAndTheLeaker() {
        Map<String, String> values = specificValues(); // asserts each variable offers the wanted value
        assertEquals(LEAKER_NAME, values.get("process"));
        assertEquals(regexEscape("127.0.0.1:" + leakwatchPort), values.get("instance"));
    }

    @Test
    void everyPanelQueryRunsAndHasDataForAllProcesses() {
        Map<String, String> all = new HashMap<>(BUILT_INS);
        for (Map.Entry<String, JsonNode> v : dashboard.variables().entrySet()) {
            JsonNode var = v.getValue();
            all.put(v.getKey(), var.path("includeAll").asBoolean() ? var.path("allValue").asText()
                    : var.path("current").path("value").asText());
        }
        assertEquals(List.of(), runPanels(all).problems);
    }

    @Test
    void everyPanelQueryRunsAndHasDataForTheLeakingProcess() {
        Map<String, String> one = new HashMap<>(BUILT_INS);
        one.putAll(specificValues());
        PanelResults results = runPanels(one);
        assertEquals(List.of(), results.problems);

        JsonNode growth = results.byTitle.get("Growth leaderboard").get(0);
        assertEquals(1, growth.size(), "one process name selected: " + growth);
        double bytesPerDay = value(growth.get(0));
        assertTrue(bytesPerDay > 1e9, "the leaker grows ~2 MiB/s, i.e. >1 GB/day; the panel says " + bytesPerDay);

        JsonNode exhaustion = results.byTitle.get("Time to exhaustion").get(0);
        assertEquals(1, exhaustion.size(), exhaustion.toString());
        double seconds = value(exhaustion.get(0));
        // the host's memory (from the node job), a few hundred MiB used, ~2 MiB/s
        assertTrue(seconds > 60 && seconds < 7 * 86400, "seconds to the host's memory: " + seconds);

        JsonNode table = results.byTitle.get("Process table").get(0);
        JsonNode labels = table.get(0).path("metric");
        assertTrue(labels.path("cmdline").asText().contains("python3"), "cmdline from windows_process_info: " + labels);
        assertTrue(!labels.path("owner").asText().isEmpty(), "owner from windows_process_info: " + labels);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyRecordingRuleHasDataAndIsRecorded() {
        List<String> problems = new ArrayList<>();
        double now = now();
        for (Map<String, Object> rule : StackFiles.rules()) {
            if (!rule.containsKey("record")) {
                continue;
            }
            String record = (String) rule.get("record");
            JsonNode direct = api.query((String) rule.get("expr"), now);
            JsonNode stored = api.query(record, now);
            if (!"success".equals(direct.path("status").asText())) {
                problems.add(record + ": " + direct.path("error").asText());
            } else if (direct.path("data").path("result").isEmpty() && !MAY_BE_EMPTY.containsKey(record)) {
                problems.add(record + ": its expression returns no data");
            }
            if (stored.path("data").path("result").isEmpty() && !MAY_BE_EMPTY.containsKey(record)) {
                problems.add(record + ": Prometheus has not recorded it");
            }
        }
        assertEquals(List.of(), problems);
        JsonNode limit = api.query("host:leakwatch_memory_limit_bytes{host=\"127.0.0.1\"}", now).path("data").path("result");
        assertEquals(hostMemoryBytes(), value(limit.get(0)), "the host's memory, from node_exporter's series on the same host");
        String floorQuery = "instance_process:windows_process_private_bytes:min1h{process=\"" + LEAKER_NAME + "\"}";
        JsonNode floor = queryUntilData(floorQuery, Duration.ofSeconds(45)); // the recording group runs every 15 s: three turns
        assertEquals(1, floor.path("data").path("result").size(), floor + "\nraw: "
                + api.query("windows_process_private_bytes{process=\"" + LEAKER_NAME + "\"}[2m]", now()).path("data")
                + "\nsum: " + api.query("instance_process:windows_process_private_bytes:sum{process=\"" + LEAKER_NAME + "\"}[2m]", now())
                .path("data") + "\nfloors of: " + api.query("count by (process) (instance_process:windows_process_private_bytes:min1h)",
                now()).path("data") + "\nrules: " + api.rules().path("data"));
        // the 5-hour envelope's expression, read every minute instead of every half hour, works on real data. Its
        // subquery samples the floor on whole minutes, so a floor first recorded less than a minute ago is not in it
        // yet: ask again, at the current time, until the next whole minute has passed.
        String envelopeQuery = "min_over_time(instance_process:windows_process_private_bytes:min1h{process=\"" + LEAKER_NAME
                + "\"}[4h:1m])";
        JsonNode envelope = queryUntilData(envelopeQuery, Duration.ofSeconds(75));
        assertEquals(1, envelope.path("data").path("result").size(), envelope + "\nfloor now: " + api.query(floorQuery, now()).path("data"));
    }

    @Test
    void everyRuleEvaluatesWithoutError() {
        List<String> problems = new ArrayList<>();
        int rules = 0;
        for (JsonNode group : api.rules().path("data").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                if (!"ok".equals(rule.path("health").asText())) {
                    problems.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " " + rule.path("lastError").asText());
                }
            }
        }
        assertEquals(StackFiles.rules().size(), rules, "Prometheus loaded every shipped rule");
        assertEquals(List.of(), problems);
        // alerts: their expressions must run (they may well return nothing on a healthy machine)
        for (Map<String, Object> rule : StackFiles.rules()) {
            if (rule.containsKey("alert")) {
                JsonNode r = api.query((String) rule.get("expr"), now());
                assertEquals("success", r.path("status").asText(), rule.get("alert") + ": " + r);
            }
        }
    }

    // ---------------------------------------------------------------------------------------

    private record PanelResults(List<String> problems, Map<String, List<JsonNode>> byTitle) {
    }

    /** Runs every target of every panel with these variable values, as Grafana would. */
    private static PanelResults runPanels(Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        Map<String, List<JsonNode>> byTitle = new LinkedHashMap<>();
        double now = now();
        for (JsonNode panel : dashboard.dataPanels()) {
            String title = panel.path("title").asText();
            for (JsonNode target : panel.path("targets")) {
                String expr = substitute(target.path("expr").asText(), values);
                JsonNode answer = target.path("instant").asBoolean()
                        ? api.query(expr, now)
                        : api.queryRange(expr, now - 300, now, 15);
                String where = "panel \"" + title + "\" " + target.path("refId").asText() + " [" + expr.replace('\n', ' ') + "]";
                if (!"success".equals(answer.path("status").asText())) {
                    problems.add(where + ": " + answer.path("error").asText());
                } else if (answer.path("data").path("result").isEmpty() && !MAY_BE_EMPTY.containsKey(title)) {
                    problems.add(where + ": no data");
                }
                byTitle.computeIfAbsent(title, k -> new ArrayList<>()).add(answer.path("data").path("result"));
            }
        }
        return new PanelResults(problems, byTitle);
    }

    /** job, instance and process from the dashboard's own variable queries, narrowed to this test's leakwatch and leaker. */
    private static Map<String, String> specificValues() {
        Map<String, String> chosen = new LinkedHashMap<>(BUILT_INS);
        Map<String, String> wanted = Map.of("job", "leakwatch", "instance", "127.0.0.1:" + leakwatchPort, "process", LEAKER_NAME);
        for (Map.Entry<String, JsonNode> v : dashboard.variables().entrySet()) {
            JsonNode var = v.getValue();
            String name = v.getKey();
            if (!"query".equals(var.path("type").asText())) {
                chosen.put(name, var.path("current").path("value").asText());
                continue;
            }
            List<String> options = variableOptions(Dashboard.variableQuery(var), chosen);
            assertTrue(options.contains(wanted.get(name)), "variable " + name + " offers " + options + ", not " + wanted.get(name));
            chosen.put(name, regexEscape(wanted.get(name)));
        }
        return chosen;
    }

    private static List<String> variableOptions(String query, Map<String, String> values) {
        Matcher m = LABEL_VALUES.matcher(query.trim());
        assertTrue(m.matches(), "the test understands label_values(...) variable queries only: " + query);
        String match = m.group(1) == null ? "{__name__=~\".+\"}" : substitute(m.group(1), values);
        JsonNode answer = api.labelValues(m.group(2), match, now() - 600, now());
        assertEquals("success", answer.path("status").asText(), answer.toString());
        List<String> options = new ArrayList<>();
        answer.path("data").forEach(n -> options.add(n.asText()));
        return options;
    }

    static String substitute(String text, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = values.get(name);
            if (value == null) {
                assertTrue(name.matches("[0-9]+"), "no value for $" + name + " in " + text);
                value = m.group(); // $1 of label_replace
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** What Grafana does to a variable value used in a =~ matcher: escape regex metacharacters (PromQL string, so doubled). */
    static String regexEscape(String value) {
        return value.replaceAll("([\\\\^$.|?*+()\\[\\]{}])", "\\\\\\\\$1");
    }

    private static boolean scrapedAndEvaluated() {
        double now = now();
        JsonNode scrapes = api.query("count_over_time(up{job=\"leakwatch\"}[10m]) >= 3 and min_over_time(up{job=\"leakwatch\"}[10m]) == 1", now);
        if (scrapes.path("data").path("result").isEmpty()) {
            return false;
        }
        JsonNode groups = api.rules().path("data").path("groups");
        if (groups.isEmpty()) {
            return false;
        }
        for (JsonNode group : groups) {
            if (group.path("lastEvaluation").asText().startsWith("0001-")) {
                return false;
            }
        }
        return true;
    }

    /** The query's answer at the current time, asked again every 3 s until it has data or the limit has passed. */
    private static JsonNode queryUntilData(String query, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode answer = api.query(query, now());
        while (answer.path("data").path("result").isEmpty() && System.nanoTime() < deadline) {
            sleep(Duration.ofSeconds(3));
            answer = api.query(query, now());
        }
        return answer;
    }

    private static double value(JsonNode sample) {
        return Double.parseDouble(sample.path("value").get(1).asText());
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static void waitFor(String what, java.util.function.BooleanSupplier condition, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!leakwatch.isAlive()) {
                fail("leakwatch exited while waiting for " + what + "\n" + logs());
            }
            for (Process p : started) {
                if (!p.isAlive()) {
                    fail(p.info().command().orElse("a process") + " exited with " + p.exitValue() + " while waiting for " + what
                            + "\n" + logs());
                }
            }
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(1000);
        }
        fail("timed out after " + limit + " waiting for " + what + "\n" + logs());
    }

    private static String logs() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String log : List.of("leakwatch.log", "prometheus.log", "leaker.log")) {
            Path p = work.resolve(log);
            if (Files.exists(p)) {
                String text = Files.readString(p);
                out.append("--- ").append(log).append(" (last 3000 chars)\n").append(text.substring(Math.max(0, text.length() - 3000)));
            }
        }
        return out.toString();
    }
}
