package io.leakwatch.leak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;

/**
 * Runs the corpus for a set of seeds, spread over the cores (every run has its own detector), and sums it up:
 * per scenario and over the whole corpus.
 */
final class LeakEvaluationRuns {
    private LeakEvaluationRuns() {
    }

    record RunResult(LeakCorpus.Scenario scenario, long seed, LeakEvaluation.Outcome outcome) {
    }

    /** The seeds a scenario runs with: each base seed, and for cheap scenarios that many more derived from it. */
    static long[] seedsOf(LeakCorpus.Scenario s, long[] base) {
        long[] out = new long[base.length * s.seedsFactor()];
        int i = 0;
        for (long b : base) {
            for (int k = 0; k < s.seedsFactor(); k++) {
                out[i++] = b + k * 1_000_000_007L;
            }
        }
        return out;
    }

    static List<RunResult> runAll(List<LeakCorpus.Scenario> scenarios, long[] seeds) {
        List<Object[]> jobs = new ArrayList<>();
        for (LeakCorpus.Scenario s : scenarios) {
            for (long seed : seedsOf(s, seeds)) {
                jobs.add(new Object[]{s, seed});
            }
        }
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            return pool.submit(() -> jobs.parallelStream().map(j -> {
                LeakCorpus.Scenario s = (LeakCorpus.Scenario) j[0];
                long seed = (Long) j[1];
                return new RunResult(s, seed, LeakEvaluation.run(s, seed));
            }).toList()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    /** Sums of one scenario's runs. */
    record Row(LeakCorpus.Scenario scenario, int runs, int met, int flagged, double[] detect, int flaps, int falseSuspects,
               double noLeakDays, double lastClear) {
        static Row of(LeakCorpus.Scenario s, List<LeakEvaluation.Outcome> outcomes) {
            int met = 0;
            int flagged = 0;
            int flaps = 0;
            int fs = 0;
            double days = 0;
            double lastClear = Double.NaN;
            List<Double> detect = new ArrayList<>();
            for (LeakEvaluation.Outcome o : outcomes) {
                met += o.meets(s) ? 1 : 0;
                flagged += o.flagged() ? 1 : 0;
                flaps += o.flaps();
                fs += o.falseSuspects();
                days += o.noLeakDays();
                if (!Double.isNaN(o.detectSeconds())) {
                    detect.add(o.detectSeconds());
                }
                if (!Double.isNaN(o.lastGrowingFlag())) {
                    lastClear = Double.isNaN(lastClear) ? o.lastGrowingFlag() : Math.max(lastClear, o.lastGrowingFlag());
                }
            }
            double[] d = detect.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return new Row(s, outcomes.size(), met, flagged, d, flaps, fs, days, lastClear);
        }
    }

    static List<Row> rows(List<LeakCorpus.Scenario> scenarios, List<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (LeakCorpus.Scenario s : scenarios) {
            rows.add(Row.of(s, results.stream().filter(r -> r.scenario() == s).map(RunResult::outcome).toList()));
        }
        return rows;
    }

    static String hours(double seconds) {
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }

    /** "median (worst)" of sorted times, or "-". */
    static String detectCell(double[] sorted) {
        if (sorted.length == 0) {
            return "-";
        }
        double median = median(sorted);
        double worst = sorted[sorted.length - 1];
        return worst > median + 0.05 * 3600 ? hours(median) + " (" + hours(worst) + ")" : hours(median);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static String target(LeakCorpus.Scenario s) {
        return switch (s.target()) {
            case FLAG -> "flag within " + (s.deadline() >= 2 * LeakCorpus.DAY
                    ? String.format(Locale.ROOT, "%.0f days", s.deadline() / LeakCorpus.DAY)
                    : String.format(Locale.ROOT, "%.0f h", s.deadline() / 3600));
            case NEVER -> "never";
            case CLEAR -> "clear in time";
            case EITHER -> "either";
        };
    }

    /** A plain text summary of every scenario (for the log while working). */
    static String text(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        double fs = 0;
        double days = 0;
        List<Double> detect = new ArrayList<>();
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%-36s %-16s met %3d/%-3d flagged %3d  detect %-18s flaps %2d  false %2d  %s%n",
                    r.scenario().name(), target(r.scenario()), r.met(), r.runs(), r.flagged(), detectCell(r.detect()), r.flaps(),
                    r.falseSuspects(), Double.isNaN(r.lastClear()) ? "" : "last growing flag " + hours(r.lastClear())));
            fs += r.falseSuspects();
            days += r.noLeakDays();
            if (r.scenario().target() == LeakCorpus.Target.FLAG && r.scenario().deadline() <= 36 * 3600) {
                for (double d : r.detect()) {
                    detect.add(d);
                }
            }
        }
        double[] d = detect.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        b.append(String.format(Locale.ROOT, "false suspects %d in %.0f process-days (%.3f per 1,000); 36 h targets: median %s, worst %s%n",
                (int) fs, days, 1000 * fs / days, d.length == 0 ? "-" : hours(median(d)), d.length == 0 ? "-" : hours(d[d.length - 1])));
        return b.toString();
    }

    static double[] sorted(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c;
    }
}
