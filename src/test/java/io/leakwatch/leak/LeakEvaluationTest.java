package io.leakwatch.leak;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The targets of leak detection on the scenario corpus, with fixed seeds, through the real detector at the
 * default settings: every leak flagged within a day and kept flagged, nothing else ever flagged, and growth
 * that stops cleared within a quarter of the window.
 */
class LeakEvaluationTest {
    static final int SEEDS = 3;
    /** -Dleakwatch.eval.moreSeeds=N also runs N further seeds and prints how often each target was missed (not asserted). */
    static final int MORE_SEEDS = Integer.getInteger("leakwatch.eval.moreSeeds", 0);

    private record Run(LeakScenarios.Scenario scenario, long seed) {
    }

    @Test
    void everyScenarioMeetsItsTarget() {
        List<String> failures = new ArrayList<>();
        StringBuilder log = new StringBuilder();
        // runs are independent (a detector each): spread them over the cores, report in corpus order
        List<Run> runs = LeakScenarios.all().stream()
                .flatMap(s -> IntStream.range(0, SEEDS).mapToObj(k -> new Run(s, LeakScenarios.SEEDS[k])))
                .toList();
        List<LeakEvaluation.Outcome> outcomes = runs.parallelStream()
                .map(r -> LeakEvaluation.run(r.scenario(), LeakScenarios.generate(r.scenario(), r.seed())))
                .toList();
        for (int i = 0; i < runs.size(); i++) {
            LeakScenarios.Scenario s = runs.get(i).scenario();
            LeakEvaluation.Outcome o = outcomes.get(i);
            String line = String.format(Locale.ROOT, "%-22s seed %5d %-6s flagged=%-5s first=%6.1fh last=%6.1fh raises=%d minutes=%d",
                    s.name(), runs.get(i).seed(), s.expect(), o.flagged(), o.firstFlag() / 3600, o.lastFlag() / 3600, o.raises(),
                    o.suspectMinutes());
            log.append(line).append('\n');
            if (!o.meets(s)) {
                failures.add(line);
            }
        }
        System.out.print(log);
        if (MORE_SEEDS > 0) {
            for (LeakScenarios.Scenario s : LeakScenarios.all()) {
                int missed = 0;
                for (int k = 0; k < MORE_SEEDS; k++) {
                    long seed = 1000 + 7919L * k;
                    missed += LeakEvaluation.run(s, LeakScenarios.generate(s, seed)).meets(s) ? 0 : 1;
                }
                System.out.printf(Locale.ROOT, "further seeds: %-22s target missed in %d of %d runs%n", s.name(), missed, MORE_SEEDS);
            }
        }
        assertEquals(List.of(), failures, "scenarios missing their target (seeds are fixed; see the log for all runs)");
    }
}
