package io.leakwatch.leak;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped leak alerts pass Prometheus' own checker and unit tests, and use the metric names leakwatch exports. */
class LeakAlertRulesTest {
    private static final Path RULES = Path.of("prometheus", "rules", "leakwatch-suspects.yml");
    private static final Path TESTS = Path.of("prometheus", "tests", "leakwatch-suspects-test.yml");

    private static String promtool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void rulesAreValidAndTheirUnitTestsPass() throws Exception {
        assertTrue(promtool("check", "rules", RULES.toString()).contains("SUCCESS: 2 rules found"));
        assertTrue(promtool("test", "rules", TESTS.toString()).contains("SUCCESS"));
    }

    @Test
    void rulesUseTheExportedMetricNames() throws Exception {
        String rules = Files.readString(RULES);
        assertTrue(rules.contains(LeakMetrics.SUSPECT + " == 1"));
        assertTrue(rules.contains(LeakMetrics.UNTIL_FULL + " < "));
    }
}
