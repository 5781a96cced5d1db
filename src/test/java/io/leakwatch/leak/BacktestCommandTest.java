package io.leakwatch.leak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code leakwatch backtest} on files as Prometheus' query_range answers them: the same verdicts as the evaluation's own
 * replay of the same samples (one path, so the table and a user's backtest cannot disagree), both outputs, and one line
 * and exit code 2 for every input a stranger could hand it.
 */
class BacktestCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("backtest"));
        all.addAll(List.of(args));
        int code = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void filesGiveTheSameVerdictChangesAsTheEvaluationsReplay() throws Exception {
        LeakCorpus.Scenario s = LeakRealDaysTest.scenario("pid-reused-same-cmdline");
        LeakCorpus.Run run = s.run(LeakCorpus.TUNING_SEEDS[0]);
        LeakEvaluation.Recording recording = new LeakEvaluation.Recording(run);
        Path memory = dir.resolve("private-bytes.json");
        Path others = dir.resolve("handles-and-info.json");
        RecordedJson.write(recording, run, "", memory, "private_bytes", "start_time");
        RecordedJson.write(recording, run, "", others, "handles", "info");
        Result r = run("--output=json", "--host.memory=64GiB", memory.toString(), others.toString());
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            lines.add(JSON.readTree(line));
        }
        List<Backtest.Change> expected = LeakEvaluation.changes(run, recording, LeakEvaluation.DEFAULTS);
        assertTrue(expected.stream().anyMatch(Backtest.Change::suspect), "the scenario names a suspect: something to compare");
        assertEquals(expected.size(), lines.size(), r.out());
        for (int i = 0; i < expected.size(); i++) {
            Backtest.Change c = expected.get(i);
            JsonNode n = lines.get(i);
            assertEquals(c.timeSeconds(), n.get("time").asDouble(), 1e-3);
            assertEquals(c.process(), n.get("process").asText());
            assertEquals(c.processId(), n.get("process_id").asText());
            assertEquals(c.resource(), n.get("resource").asText());
            assertEquals(c.verdict(), n.get("verdict").asText());
            assertEquals(c.suspect(), n.get("suspect").asBoolean());
            assertEquals(c.why(), n.get("why").asText());
            assertFalse(n.has("instance"), "no instance label, no instance field");
        }
        assertTrue(lines.stream().anyMatch(n -> n.get("suspect").asBoolean() && n.get("rule").asText().contains("inherited")),
                "the reused pid's inherited verdict says so");

        Result table = run(memory.toString(), others.toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().startsWith("time (UTC)"), table.out());
        assertTrue(table.out().contains(" agent ") && table.out().contains(" suspect "), table.out());
        assertTrue(table.out().contains("Suspects:") && table.out().contains("first named at"), table.out());
    }

    @Test
    void seriesWithoutInfoUseTheNameAloneAndOtherMetricsAreNamedAsNotRead() throws Exception {
        LeakCorpus.Run run = LeakRealDaysTest.scenario("restart-leak-6h").run(LeakCorpus.TUNING_SEEDS[1]);
        Path file = dir.resolve("q.json");
        RecordedJson.write(new LeakEvaluation.Recording(run), run, "web1:9182", file, "private_bytes");
        String text = Files.readString(file).replace("]}}", ",{\"metric\":{\"__name__\":\"windows_process_threads\",\"process\":"
                + "\"svc\",\"process_id\":\"1\"},\"values\":[[1790000000,\"NaN\"]]}]}}");
        Files.writeString(file, text);
        Result r = run("--output=json", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("not read") && r.err().contains("windows_process_threads"), r.err());
        assertTrue(r.out().contains("\"instance\":\"web1:9182\""), "the instance is in every line");
        // restarted every 6 h, with nothing but the name to tie the lives together: the leak is still found on the current pid
        assertTrue(r.out().contains("\"suspect\":true"), r.out());
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        Path notJson = Files.writeString(dir.resolve("a.json"), "<html>502 Bad Gateway</html>");
        Path error = Files.writeString(dir.resolve("b.json"), "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error "
                + "at char 3:\\nunexpected\"}");
        Path scalar = Files.writeString(dir.resolve("c.json"), "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
                + "\"result\":[1,\"2\"]}}");
        Path deep = Files.writeString(dir.resolve("d.json"), "{\"status\":\"success\",\"data\":" + "[".repeat(10_000));
        Path cut = Files.writeString(dir.resolve("e.json"), "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
                + "\"result\":[{\"metric\":{\"__name__\":\"windows_process_private_bytes\",\"process\":\"a\",\"process_id\":\"1\"},"
                + "\"values\":[[1790000000,\"1\"],[179");
        Path longLabel = Files.writeString(dir.resolve("f.json"), "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
                + "\"result\":[{\"metric\":{\"process\":\"" + "x".repeat(100_000) + "\"},\"values\":[]}]}}");
        Path badValue = Files.writeString(dir.resolve("g.json"), "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
                + "\"result\":[{\"metric\":{\"__name__\":\"windows_process_private_bytes\",\"process\":\"a\",\"process_id\":\"1\"},"
                + "\"values\":[[1790000000,\"lots\"]]}]}}");
        String[][] cases = {
                {notJson.toString()}, {error.toString()}, {scalar.toString()}, {deep.toString()}, {cut.toString()},
                {longLabel.toString()}, {badValue.toString()}, {dir.resolve("missing.json").toString()}, {dir.toString()},
                {}, {"--output=xml", notJson.toString()}, {"--host.memory=lots", notJson.toString()},
                {"--prometheus.url=ftp://x", "--selector={}"}, {"--prometheus.url=http://127.0.0.1:9", notJson.toString()},
                {"--prometheus.url=http://127.0.0.1:9", "--start=yesterday"}, {"--prometheus.url=http://127.0.0.1:9", "--selector=job"},
                {"--prometheus.url=http://127.0.0.1:9", "--start=2026-11-02T00:00:00Z", "--end=2026-11-01T00:00:00Z"},
                {"--leak.window=banana", notJson.toString()}, {"--no-such-flag", notJson.toString()},
                {"--prometheus.url=http://127.0.0.1:9", "--start=1d"}};
        for (String[] c : cases) {
            Result r = run(c);
            String what = String.join(" ", c) + " -> " + r.err();
            assertEquals(2, r.code(), what);
            assertEquals(1, r.err().strip().lines().count(), what);
            assertTrue(r.err().startsWith("leakwatch"), what);
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), what);
        }
        assertTrue(run(error.toString()).err().contains("parse error at char 3: unexpected"), "Prometheus' own message, one line");
        assertTrue(run(cut.toString()).err().contains("line 1"), "where it is broken");
    }

    @Test
    void helpSaysHowToUseIt() {
        Result r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--prometheus.url") && r.out().contains("query_range"), r.out());
    }
}
