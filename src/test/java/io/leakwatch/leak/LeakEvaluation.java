package io.leakwatch.leak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a scenario of {@link LeakCorpus} through the same path as {@code leakwatch backtest}: its samples become a
 * {@link BacktestSource} and {@link Backtest} replays them through the real detector with the default settings
 * (or others). Then the verdict changes are scored against what each process truly does.
 */
final class LeakEvaluation {
    static final LeakSettings DEFAULTS = new LeakSettings(true, LeakCorpus.STEP, LeakCorpus.DAY, null,
            LeakCorpus.THRESHOLD, LeakCorpus.HANDLE_THRESHOLD);

    private LeakEvaluation() {
    }

    /**
     * What one run showed.
     *
     * @param flagged         a leaking process was flagged (FLAG), or a growing one was (CLEAR, EITHER)
     * @param detectSeconds   from the leak's start to the first flag of a leaking process (NaN if never)
     * @param raises          how often the leaking processes together went from not flagged to flagged
     * @param rightResource   the first flag was on the resource that leaks
     * @param flaggedToTheEnd the leak was still flagged when its last process ended
     * @param falseSuspects   flags of processes that were not leaking at the time (each one a false positive)
     * @param noLeakDays      process-days of processes that were not leaking (the denominator of the false-positive rate)
     * @param lateClears      processes that grew and stopped, flagged after they should have been cleared
     * @param lastGrowingFlag for CLEAR, when the last flag of a growing process ended, from the run's start (NaN if never)
     */
    record Outcome(boolean flagged, double detectSeconds, int raises, boolean rightResource, boolean flaggedToTheEnd,
                   int falseSuspects, double noLeakDays, int lateClears, double lastGrowingFlag) {
        int flaps() {
            return Math.max(0, raises - 1);
        }

        boolean meets(LeakCorpus.Scenario s) {
            boolean clean = falseSuspects == 0 && lateClears == 0;
            return switch (s.target()) {
                case FLAG -> clean && flagged && detectSeconds <= s.deadline() && raises == 1 && rightResource && flaggedToTheEnd;
                case NEVER, CLEAR -> clean;
                case EITHER -> clean && raises <= 1;
            };
        }
    }

    /** The recorded samples of one run, as a backtest source (one series per process and pid). */
    static final class Recording implements BacktestSource {
        private final List<Key> keys = new ArrayList<>();
        private final List<List<Identity>> identities = new ArrayList<>();
        private final List<double[]> times = new ArrayList<>();
        private final List<double[]> privateBytes = new ArrayList<>();
        private final List<double[]> handles = new ArrayList<>();
        private final List<double[]> starts = new ArrayList<>();
        private final double first;
        private final double last;
        private final double hostMemory;

        Recording(LeakCorpus.Run run) {
            Map<Key, Integer> index = new HashMap<>();
            List<List<double[]>> rows = new ArrayList<>(); // per key: {t, private, handles, start}
            double[] out = new double[2];
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (LeakCorpus.Proc p : run.processes()) {
                for (int l = 0; l < p.lives().size(); l++) {
                    LeakCorpus.Life life = p.lives().get(l);
                    Key key = new Key("", p.name(), Long.toString(life.pid()));
                    Integer k = index.get(key);
                    if (k == null) {
                        k = keys.size();
                        index.put(key, k);
                        keys.add(key);
                        identities.add(new ArrayList<>());
                        rows.add(new ArrayList<>());
                    }
                    double lifeStart = run.startSeconds() + life.start();
                    identities.get(k).add(new Identity(lifeStart, "svc", p.cmdline()));
                    double t0 = Math.ceil(life.start() / LeakCorpus.STEP) * LeakCorpus.STEP;
                    for (double t = t0; t < life.end(); t += LeakCorpus.STEP) {
                        if (inGap(run.gaps(), t)) {
                            continue;
                        }
                        double abs = run.startSeconds() + t;
                        p.shape().sample(t, abs, t - life.start(), l, out);
                        rows.get(k).add(new double[]{abs, Math.round(out[0]), Math.round(out[1]), lifeStart});
                        lo = Math.min(lo, abs);
                        hi = Math.max(hi, abs);
                    }
                }
            }
            for (List<double[]> r : rows) {
                r.sort((a, b) -> Double.compare(a[0], b[0]));
                double[] t = new double[r.size()];
                double[] pb = new double[r.size()];
                double[] h = new double[r.size()];
                double[] st = new double[r.size()];
                for (int i = 0; i < r.size(); i++) {
                    t[i] = r.get(i)[0];
                    pb[i] = r.get(i)[1];
                    h[i] = r.get(i)[2];
                    st[i] = r.get(i)[3];
                }
                times.add(t);
                privateBytes.add(pb);
                handles.add(h);
                starts.add(st);
            }
            this.first = lo;
            this.last = hi;
            this.hostMemory = run.hostMemory();
        }

        int size() {
            return keys.size();
        }

        String pid(int k) {
            return keys.get(k).processId();
        }

        String name(int k) {
            return keys.get(k).process();
        }

        String cmdline(int k) {
            return identities.get(k).get(0).cmdline();
        }

        double[] starts(int k) {
            return starts.get(k);
        }

        double[] times(int k) {
            return times.get(k);
        }

        double[] privateBytes(int k) {
            return privateBytes.get(k);
        }

        double[] handles(int k) {
            return handles.get(k);
        }

        private static boolean inGap(double[] gaps, double t) {
            for (int i = 0; i + 1 < gaps.length; i += 2) {
                if (t >= gaps[i] && t < gaps[i + 1]) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Catalog catalog() {
            List<List<Identity>> ids = new ArrayList<>();
            for (List<Identity> i : identities) {
                List<Identity> sorted = new ArrayList<>(i);
                sorted.sort((a, b) -> Double.compare(a.fromSeconds(), b.fromSeconds()));
                ids.add(List.copyOf(sorted));
            }
            return new Catalog(List.copyOf(keys), ids, first, last, LeakCorpus.STEP, Map.of("", hostMemory));
        }

        @Override
        public void samples(Catalog catalog, double from, double to, Sink sink) {
            for (int k = 0; k < keys.size(); k++) {
                double[] t = times.get(k);
                int i = Arrays.binarySearch(t, from);
                i = i >= 0 ? i + 1 : -i - 1;
                for (; i < t.length && t[i] <= to; i++) {
                    sink.sample(k, Metric.PRIVATE_BYTES, t[i], privateBytes.get(k)[i]);
                    sink.sample(k, Metric.HANDLES, t[i], handles.get(k)[i]);
                    sink.sample(k, Metric.START_TIME, t[i], starts.get(k)[i]);
                }
            }
        }
    }

    /** One life's verdict changes: per resource whether it was a suspect, from each change on. */
    private static final class Timeline {
        final List<double[]> changes = new ArrayList<>(); // {time, resource (0 private bytes, 1 handles), suspect 0/1}
    }

    /** Every verdict change of a recorded run, as the backtest reports them. */
    static List<Backtest.Change> changes(LeakCorpus.Run run, Recording recording, LeakSettings settings) {
        List<Backtest.Change> out = new ArrayList<>();
        try {
            new Backtest(settings, run.hostMemory(), out::add).run(recording);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Outcome run(LeakCorpus.Scenario s, long seed) {
        return run(s, s.run(seed), DEFAULTS);
    }

    static Outcome run(LeakCorpus.Scenario s, LeakCorpus.Run run, LeakSettings settings) {
        return run(run, new Recording(run), settings);
    }

    static Outcome run(LeakCorpus.Run run, Recording recording, LeakSettings settings) {
        Map<String, Timeline> byLife = new HashMap<>();
        Backtest backtest = new Backtest(settings, run.hostMemory(), c -> byLife.computeIfAbsent(lifeKey(c.processId(), c.startSeconds()),
                k -> new Timeline()).changes.add(new double[]{c.timeSeconds(), c.resource().equals("handles") ? 1 : 0, c.suspect() ? 1 : 0}));
        Path state = null;
        try {
            if (run.exporterRestarts().length > 0) {
                Path dir = Path.of("target", "leak-evaluation");
                Files.createDirectories(dir);
                state = Files.createTempFile(dir, "state-", ".json");
                double[] at = run.exporterRestarts().clone();
                for (int i = 0; i < at.length; i++) {
                    at[i] += run.startSeconds();
                }
                backtest.withExporterRestarts(at, state);
            }
            backtest.run(recording);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (state != null) {
                try {
                    Files.deleteIfExists(state);
                } catch (IOException ignored) {
                    // a temporary file under target/
                }
            }
        }
        return score(run, byLife);
    }

    private static String lifeKey(String pid, double start) {
        return pid + "@" + Math.round(start);
    }

    private static Outcome score(LeakCorpus.Run run, Map<String, Timeline> byLife) {
        double t0 = run.startSeconds();
        // the leaking processes together: every life's suspect state over time, and when each life ended
        List<double[]> leakEvents = new ArrayList<>(); // {time, life#, resource, suspect, end marker}
        int leakingLives = 0;
        double leakStart = Double.NaN;
        boolean handleLeak = false;
        double lastLeakEnd = Double.NEGATIVE_INFINITY;
        int falseSuspects = 0;
        double noLeakDays = 0;
        int lateClears = 0;
        double lastGrowingFlag = Double.NaN;
        boolean anyGrowingFlag = false;
        for (LeakCorpus.Proc p : run.processes()) {
            for (LeakCorpus.Life life : p.lives()) {
                double start = t0 + life.start();
                double end = t0 + life.end();
                Timeline tl = byLife.get(lifeKey(Long.toString(life.pid()), start));
                List<double[]> changes = tl == null ? List.of() : tl.changes;
                switch (p.role()) {
                    case FLAT -> {
                        falseSuspects += raises(changes, Double.POSITIVE_INFINITY);
                        noLeakDays += (end - start) / LeakCorpus.DAY;
                    }
                    case LEAKS -> {
                        double from = t0 + p.leakStart();
                        falseSuspects += raises(changes, from);
                        noLeakDays += Math.max(0, Math.min(end, from) - start) / LeakCorpus.DAY;
                        leakStart = Double.isNaN(leakStart) ? from : Math.min(leakStart, from);
                        handleLeak = p.handleLeak();
                        int id = leakingLives++;
                        for (double[] c : changes) {
                            leakEvents.add(new double[]{c[0], id, c[1], c[2]});
                        }
                        leakEvents.add(new double[]{end, id, -1, 0});
                        lastLeakEnd = Math.max(lastLeakEnd, end);
                    }
                    case CLEARS, EITHER -> {
                        double last = lastSuspect(changes, end);
                        if (!Double.isNaN(last)) {
                            anyGrowingFlag = true;
                            lastGrowingFlag = Double.isNaN(lastGrowingFlag) ? last - t0 : Math.max(lastGrowingFlag, last - t0);
                            if (p.role() == LeakCorpus.Role.CLEARS && last > t0 + p.clearBy()) {
                                lateClears++;
                            }
                        }
                    }
                }
            }
        }
        // sweep the leaking lives: the union of their suspect states
        leakEvents.sort((a, b) -> Double.compare(a[0], b[0]));
        boolean[][] state = new boolean[leakingLives][2];
        boolean union = false;
        int raises = 0;
        double first = Double.NaN;
        boolean rightResource = false;
        boolean atEnd = false;
        boolean endSeen = false;
        for (int i = 0; i < leakEvents.size(); ) {
            // every change at one instant first (a life ending and the next starting), then the union
            double time = leakEvents.get(i)[0];
            int changedLife = -1;
            for (; i < leakEvents.size() && leakEvents.get(i)[0] == time; i++) {
                double[] e = leakEvents.get(i);
                int id = (int) e[1];
                if (e[2] < 0) {
                    if (e[0] >= lastLeakEnd && !endSeen) {
                        atEnd = union; // as the last leaking life ends
                        endSeen = true;
                    }
                    state[id][0] = false;
                    state[id][1] = false;
                } else {
                    state[id][(int) e[2]] = e[3] > 0;
                    if (e[3] > 0) {
                        changedLife = id;
                    }
                }
            }
            boolean now = false;
            for (boolean[] s : state) {
                now |= s[0] || s[1];
            }
            if (now && !union && time >= leakStart) {
                raises++;
                if (Double.isNaN(first)) {
                    first = time;
                    rightResource = changedLife >= 0 && state[changedLife][handleLeak ? 1 : 0];
                }
            }
            union = now;
        }
        boolean flagged = !Double.isNaN(first) || anyGrowingFlag;
        return new Outcome(flagged, Double.isNaN(first) ? Double.NaN : first - leakStart, raises, rightResource, atEnd, falseSuspects,
                noLeakDays, lateClears, lastGrowingFlag);
    }

    /** How often a life became a suspect (either resource) before {@code until}. */
    private static int raises(List<double[]> changes, double until) {
        boolean[] s = new boolean[2];
        int raises = 0;
        for (double[] c : changes) {
            if (c[0] >= until) {
                break;
            }
            boolean before = s[0] || s[1];
            s[(int) c[1]] = c[2] > 0;
            if (!before && (s[0] || s[1])) {
                raises++;
            }
        }
        return raises;
    }

    /** The last moment a life was a suspect: the change that ended it, or its end; NaN if never. */
    private static double lastSuspect(List<double[]> changes, double end) {
        boolean[] s = new boolean[2];
        double last = Double.NaN;
        for (double[] c : changes) {
            boolean before = s[0] || s[1];
            s[(int) c[1]] = c[2] > 0;
            if (before && !(s[0] || s[1])) {
                last = c[0];
            }
        }
        return s[0] || s[1] ? end : last;
    }
}
