package io.leakwatch.leak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The evaluation's tables as they stand in docs/leak-detection.md. */
final class LeakEvaluationTables {
    static final int HELD_OUT_COLUMNS = 14;
    static final String TUNING_HEADING = "#### The tuning seeds";

    private LeakEvaluationTables() {
    }

    static String render(List<LeakEvaluationRuns.Row> heldOut, List<LeakEvaluationRuns.Row> tuning, Map<String, String> promql,
                         String hash) {
        StringBuilder b = new StringBuilder();
        b.append("#### The held-out seeds\n\n");
        b.append(String.format(Locale.ROOT, "Seeds never used while the method was designed: %d base seeds (scenarios that "
                + "are cheap to run get 2 or 4 runs per base seed, see \"runs\"). The PromQL rules replay one run of each "
                + "scenario (the first held-out seed) with promtool.%n%n", LeakCorpus.HELD_OUT_SEEDS.length));
        b.append("| scenario | target | runs | target met | leakwatch flagged | time to detect | flaps | false suspects "
                + "| shipped rules flagged | time to detect | flaps | 10 MB/h slope flagged | time to detect | flaps |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (LeakEvaluationRuns.Row r : heldOut) {
            b.append("| ").append(r.scenario().name()).append(" | ").append(LeakEvaluationRuns.target(r.scenario())).append(" | ")
                    .append(leakwatchCells(r)).append(" | ").append(promql.getOrDefault(r.scenario().name(), "- | - | - | - | - | -"))
                    .append(" |\n");
        }
        b.append('\n').append(HASH_LINE(hash)).append('\n');
        summary(b, heldOut, "held-out");
        b.append('\n').append(TUNING_HEADING).append("\n\n");
        b.append(String.format(Locale.ROOT, "The %d base seeds the method was designed on, for comparison.%n%n",
                LeakCorpus.TUNING_SEEDS.length));
        b.append("| scenario | target | runs | target met | leakwatch flagged | time to detect | flaps | false suspects |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (LeakEvaluationRuns.Row r : tuning) {
            b.append("| ").append(r.scenario().name()).append(" | ").append(LeakEvaluationRuns.target(r.scenario())).append(" | ")
                    .append(leakwatchCells(r)).append(" |\n");
        }
        b.append('\n');
        summary(b, tuning, "tuning");
        return b.toString();
    }

    private static String HASH_LINE(String hash) {
        return LeakEvaluationTableTest.HASH + hash + " -->";
    }

    /** runs | target met | flagged | time to detect | flaps | false suspects */
    private static String leakwatchCells(LeakEvaluationRuns.Row r) {
        String detect = LeakEvaluationRuns.detectCell(r.detect());
        if (r.scenario().target() == LeakCorpus.Target.CLEAR && !Double.isNaN(r.lastClear())) {
            detect = "cleared by " + LeakEvaluationRuns.hours(r.lastClear());
        }
        String flagged = r.scenario().target() == LeakCorpus.Target.NEVER ? "-" : r.flagged() + "/" + r.runs();
        return r.runs() + " | " + r.met() + "/" + r.runs() + " | " + flagged + " | " + detect + " | " + r.flaps() + " | "
                + r.falseSuspects();
    }

    /** The false-positive rate and the times to detect over the whole corpus, and the targets missed. */
    private static void summary(StringBuilder b, List<LeakEvaluationRuns.Row> rows, String which) {
        int falseSuspects = 0;
        double days = 0;
        List<Double> d36 = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        StringBuilder longer = new StringBuilder();
        for (LeakEvaluationRuns.Row r : rows) {
            falseSuspects += r.falseSuspects();
            days += r.noLeakDays();
            if (r.met() < r.runs()) {
                missed.add(r.scenario().name() + " (" + (r.runs() - r.met()) + " of " + r.runs() + ")");
            }
            if (r.scenario().target() == LeakCorpus.Target.FLAG) {
                if (r.scenario().deadline() == 36 * 3600) {
                    for (double t : r.detect()) {
                        d36.add(t);
                    }
                } else if (r.detect().length > 0) {
                    longer.append(String.format(Locale.ROOT, "; %s (target %s): median %s, worst %s", r.scenario().name(),
                            LeakEvaluationRuns.target(r.scenario()).replace("flag ", ""),
                            LeakEvaluationRuns.hours(LeakEvaluationRuns.median(r.detect())),
                            LeakEvaluationRuns.hours(r.detect()[r.detect().length - 1])));
                }
            }
        }
        double[] d = d36.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        b.append(String.format(Locale.ROOT, "- False positives (%s): %d suspects in %,.0f process-days of processes that were not "
                + "leaking, %.2f per 1,000 process-days.%n", which, falseSuspects, days, 1000.0 * falseSuspects / days));
        b.append(String.format(Locale.ROOT, "- Time to detect (%s): leaks with a 36 h target, median %s and worst %s%s.%n", which,
                d.length == 0 ? "-" : LeakEvaluationRuns.hours(LeakEvaluationRuns.median(d)),
                d.length == 0 ? "-" : LeakEvaluationRuns.hours(d[d.length - 1]), longer));
        b.append("- Targets missed (").append(which).append("): ").append(missed.isEmpty() ? "none" : String.join(", ", missed))
                .append(".\n");
    }
}
