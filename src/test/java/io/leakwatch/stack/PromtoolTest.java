package io.leakwatch.stack;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** promtool (Debian package prometheus) on the shipped config, rules and rule tests. */
@Tag("system")
class PromtoolTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Test
    void configsAreValidAndLoadTheRules() {
        for (Path config : List.of(StackFiles.PROMETHEUS_YML, StackFiles.PROMETHEUS_WINDOWS_YML)) {
            Command.Result r = Command.run(StackFiles.PROMETHEUS, TIMEOUT, "promtool", "check", "config", config.toString());
            assertTrue(r.ok(), "promtool check config " + config + ":\n" + r.output());
            // the rule glob must find every shipped rule file, not silently nothing
            assertTrue(r.output().contains("SUCCESS: " + StackFiles.ruleFiles().size() + " rule files found"), r.output());
        }
    }

    @Test
    void rulesPassCheckAndLint() {
        List<String> argv = new ArrayList<>(List.of("promtool", "check", "rules", "--lint=all", "--lint-fatal"));
        StackFiles.ruleFiles().forEach(f -> argv.add(f.toString()));
        Command.Result r = new Command(argv, StackFiles.PROMETHEUS, TIMEOUT).run();
        assertTrue(r.ok(), "promtool check rules:\n" + r.output());
    }

    @Test
    void ruleUnitTestsPass() {
        List<Path> tests = StackFiles.ruleTestFiles();
        assertFalse(tests.isEmpty(), "no prometheus/tests/*.test.yml");
        List<String> argv = new ArrayList<>(List.of("promtool", "test", "rules"));
        tests.forEach(f -> argv.add(f.getFileName().toString()));
        Command.Result r = new Command(argv, StackFiles.RULE_TESTS, TIMEOUT).run();
        assertTrue(r.ok(), "promtool test rules:\n" + r.output());
    }

    /** Every alert is tested both firing and staying quiet, and every recording rule is exercised. */
    @Test
    @SuppressWarnings("unchecked")
    void everyAlertIsTestedFiringAndNotFiring() {
        Map<String, Set<Boolean>> outcomes = new HashMap<>();
        Set<String> testedRuleFiles = new HashSet<>();
        for (Path testFile : StackFiles.ruleTestFiles()) {
            Map<String, Object> doc = StackFiles.yaml(testFile);
            ((List<String>) doc.get("rule_files")).forEach(f -> testedRuleFiles.add(
                    StackFiles.RULE_TESTS.resolve(f).normalize().getFileName().toString()));
            for (Map<String, Object> test : (List<Map<String, Object>>) doc.get("tests")) {
                for (Map<String, Object> check : (List<Map<String, Object>>) test.getOrDefault("alert_rule_test", List.of())) {
                    List<?> expected = (List<?>) check.get("exp_alerts");
                    outcomes.computeIfAbsent((String) check.get("alertname"), k -> new HashSet<>())
                            .add(expected != null && !expected.isEmpty());
                }
            }
        }
        StackFiles.ruleFiles().forEach(f -> assertTrue(testedRuleFiles.contains(f.getFileName().toString()),
                f + " is loaded by no test file"));
        for (Map<String, Object> rule : StackFiles.rules()) {
            if (rule.containsKey("alert")) {
                String name = (String) rule.get("alert");
                assertEquals(Set.of(true, false), outcomes.getOrDefault(name, Set.of()),
                        "alert " + name + " must be tested both firing and not firing");
            }
        }
    }

    @Test
    void noRateOnGaugesInRules() {
        for (Map<String, Object> rule : StackFiles.rules()) {
            String expr = (String) rule.get("expr");
            assertEquals(List.of(), PromqlLint.problems(expr), "rule " + rule.getOrDefault("alert", rule.get("record")));
        }
    }

    /** The Windows-host config differs from the main one only in the leakwatch target. */
    @Test
    @SuppressWarnings("unchecked")
    void windowsHostConfigFollowsTheMainOne() {
        Map<String, Object> main = StackFiles.yaml(StackFiles.PROMETHEUS_YML);
        Map<String, Object> windows = StackFiles.yaml(StackFiles.PROMETHEUS_WINDOWS_YML);
        for (Map<String, Object> job : (List<Map<String, Object>>) windows.get("scrape_configs")) {
            for (Map<String, Object> sc : (List<Map<String, Object>>) job.getOrDefault("static_configs", List.of())) {
                List<String> targets = (List<String>) sc.get("targets");
                sc.put("targets", targets.stream().map(t -> t.replace("host.docker.internal:9182", "localhost:9182")).toList());
            }
        }
        assertEquals(main, windows);
    }
}
