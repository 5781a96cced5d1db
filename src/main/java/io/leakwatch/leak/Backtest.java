package io.leakwatch.leak;

import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.leakwatch.model.ProcessSample.ABSENT;

/**
 * Replays recorded samples through the real {@link LeakDetector}, with the settings given, faster than real time,
 * and reports every change of a verdict. This is what {@code leakwatch backtest} runs and what the in-repo
 * evaluation runs, so the two cannot disagree.
 * <p>
 * The recording is cut into slots of {@code --leak.sample-interval} (or of the recording's own resolution when
 * that is coarser): a process's value in a slot is the lowest of its samples in it (the floors only ever need the
 * lowest). Every slot in which a host (an {@code instance}) has any process is one collection of that host: a
 * process missing from it has exited, and one that comes back later is a new life (unless its recorded start time
 * says it is the same process). A range query fills every step of a process that was scraped within Prometheus'
 * lookback, so a missed scrape is no exit. A slot with no process at all is a gap in the recording (the
 * exporter or the host was down): nothing is collected or judged, and every process carries on after it, as it
 * would in leakwatch. Each instance is judged by its own detector, as its own host.
 * <p>
 * Memory is bounded whatever the length of the recording: it is read in slices of at most
 * {@link #CELLS_PER_SLICE} process-slots. Not thread-safe; one run at a time per instance of this class.
 */
public final class Backtest {
    /** Processes times slots read at once: bounds the memory of a slice (two floats a cell, a double more with start times). */
    static final int CELLS_PER_SLICE = 1 << 20;

    /**
     * One verdict change.
     *
     * @param timeSeconds  when (Unix seconds): the end of the collection that changed it
     * @param instance     the instance label ("" when none)
     * @param process      process name
     * @param processId    process id label
     * @param startSeconds the process's start (its first sample, unless the recording has its start time)
     * @param resource     private_bytes or handles
     * @param verdict      the word /leaks shows: suspect, confirming, levelled-off, not-steady, stable, learning
     * @param suspect      whether it is a suspect now
     * @param rule         what made the verdict, in words
     * @param why          the reason /leaks gives
     */
    public record Change(double timeSeconds, String instance, String process, String processId, double startSeconds,
                         String resource, String verdict, boolean suspect, String rule, String why) {
    }

    /** Receives the changes in time order (per instance). */
    public interface Listener {
        void change(Change change);
    }

    /**
     * What a run covered.
     *
     * @param processes    process series read
     * @param lives        process lives judged (a series split where the process was gone, or its start time changed)
     * @param collections  slots in which some host had data
     * @param firstSeconds the first slot
     * @param lastSeconds  the last slot
     */
    public record Summary(int processes, int lives, long collections, double firstSeconds, double lastSeconds) {
    }

    private final LeakSettings settings;
    private final double defaultHostMemory;
    private final Listener listener;
    private double[] exporterRestarts = new double[0];
    private Path restartStateFile;

    /**
     * @param defaultHostMemory the host's physical memory for instances the source does not know it for (NaN: unknown;
     *                          the projection and the urgent rule then stay off)
     */
    public Backtest(LeakSettings settings, double defaultHostMemory, Listener listener) {
        this.settings = settings;
        this.defaultHostMemory = defaultHostMemory;
        this.listener = listener;
    }

    /**
     * Restarts leakwatch itself at these times (the evaluation's model of an exporter restart): the detector's
     * history goes through the state file in {@code stateFile}, exactly as a stop and a start would take it, and a
     * new detector carries on from what it restores.
     */
    Backtest withExporterRestarts(double[] times, Path stateFile) {
        this.exporterRestarts = times.clone();
        Arrays.sort(this.exporterRestarts);
        this.restartStateFile = stateFile;
        return this;
    }

    /** One host's detector and what was last said about each of its processes. */
    private final class Host {
        final String instance;
        final double memory;
        LeakDetector detector;
        final int[] processes;
        final Map<ProcessInfo, String[]> said = new IdentityHashMap<>();
        long lastJudgedBucket = Long.MIN_VALUE;
        int restartsDone;

        Host(String instance, double memory, int[] processes) {
            this.instance = instance;
            this.memory = memory;
            this.detector = LeakDetector.quiet(settings, memory);
            this.processes = processes;
        }

        /** leakwatch stops (saving its state file) and starts again (reading it) before the collection at {@code t}. */
        void restartIfDue(double t) throws IOException {
            while (restartsDone < exporterRestarts.length && exporterRestarts[restartsDone] <= t) {
                double at = exporterRestarts[restartsDone++];
                // what a stop writes and a start reads (the file's own mechanics are StateFile's, tested on their own)
                try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(restartStateFile)) {
                    LeakStateCodec.write(out, settings.bucketSeconds(), at, detector.export());
                }
                LeakStateCodec.Decoded loaded;
                try (java.io.InputStream in = java.nio.file.Files.newInputStream(restartStateFile)) {
                    loaded = LeakStateCodec.read(in, java.nio.file.Files.size(restartStateFile),
                            LeakStateCodec.Limits.of(settings, LeakDetector.MAX_PROCESSES), t);
                }
                detector = LeakDetector.quiet(settings, memory);
                detector.restore(loaded.histories());
                lastJudgedBucket = Long.MIN_VALUE;
            }
        }
    }

    public Summary run(BacktestSource source) throws IOException {
        BacktestSource.Catalog catalog = source.catalog();
        int n = catalog.processes().size();
        if (n == 0 || !(catalog.lastSeconds() >= catalog.firstSeconds())) {
            return new Summary(n, 0, 0, Double.NaN, Double.NaN);
        }
        double step = Double.isNaN(catalog.resolutionSeconds()) ? settings.sampleIntervalSeconds()
                : Math.max(settings.sampleIntervalSeconds(), catalog.resolutionSeconds());
        Map<String, List<Integer>> byInstance = new LinkedHashMap<>();
        for (int p = 0; p < n; p++) {
            byInstance.computeIfAbsent(catalog.processes().get(p).instance(), k -> new ArrayList<>()).add(p);
        }
        List<Host> hosts = new ArrayList<>();
        byInstance.forEach((instance, members) -> hosts.add(new Host(instance,
                catalog.hostMemory().getOrDefault(instance, defaultHostMemory),
                members.stream().mapToInt(Integer::intValue).toArray())));
        long[] pids = pids(catalog);

        // what carries from slot to slot and slice to slice
        ProcessInfo[] life = new ProcessInfo[n];
        double[] recordedStart = new double[n];
        Arrays.fill(recordedStart, Double.NaN);
        int lives = 0;
        long collections = 0;

        long firstSlot = (long) Math.ceil(catalog.firstSeconds() / step);
        long lastSlot = (long) Math.ceil(catalog.lastSeconds() / step);
        int sliceSlots = (int) Math.max(1, Math.min(lastSlot - firstSlot + 1, CELLS_PER_SLICE / n));
        float[] priv = new float[n * sliceSlots];
        float[] hand = new float[n * sliceSlots];
        // per cell, the recorded start time (NaN: none); made at the first one, as most sources have none
        double[][] starts = {null};
        for (long sliceFrom = firstSlot; sliceFrom <= lastSlot; sliceFrom += sliceSlots) {
            long from = sliceFrom;
            int slots = (int) Math.min(sliceSlots, lastSlot - sliceFrom + 1);
            Arrays.fill(priv, Float.NaN);
            Arrays.fill(hand, Float.NaN);
            if (starts[0] != null) {
                Arrays.fill(starts[0], Double.NaN);
            }
            source.samples(catalog, (from - 1) * step, (from + slots - 1) * step, (p, metric, time, value) -> {
                long slot = (long) Math.ceil(time / step);
                if (p < 0 || p >= n || slot < from || slot >= from + slots || !Double.isFinite(value) || value < 0) {
                    return;
                }
                int cell = p * sliceSlots + (int) (slot - from);
                switch (metric) {
                    case PRIVATE_BYTES -> priv[cell] = lower(priv[cell], value);
                    case HANDLES -> hand[cell] = lower(hand[cell], value);
                    case START_TIME -> {
                        if (starts[0] == null) {
                            starts[0] = new double[priv.length];
                            Arrays.fill(starts[0], Double.NaN);
                        }
                        starts[0][cell] = value;
                    }
                }
            });
            for (int k = 0; k < slots; k++) {
                double t = (from + k) * step;
                for (Host host : hosts) {
                    List<ProcessSample> present = new ArrayList<>();
                    boolean membershipChanged = false;
                    for (int p : host.processes) {
                        int cell = p * sliceSlots + k;
                        if (starts[0] != null && !Double.isNaN(starts[0][cell])) {
                            recordedStart[p] = starts[0][cell];
                        }
                        if (Float.isNaN(priv[cell])) {
                            continue;
                        }
                        BacktestSource.Identity who = identityAt(catalog.identities().get(p), t);
                        if (life[p] != null && (!Double.isNaN(recordedStart[p])
                                && Math.abs(life[p].startTimeSeconds() - recordedStart[p]) > 1
                                || !life[p].owner().equals(who.owner()) || !life[p].cmdline().equals(who.cmdline()))) {
                            life[p] = null; // the pid was reused: a new process under the same labels
                        }
                        if (life[p] == null) {
                            BacktestSource.Key key = catalog.processes().get(p);
                            double startTime = Double.isNaN(recordedStart[p]) ? t : Math.min(recordedStart[p], t);
                            life[p] = new ProcessInfo(key.process(), pids[p], key.processId(), 0, 0, who.owner(), who.cmdline(),
                                    startTime);
                            lives++;
                            membershipChanged = true;
                        }
                        present.add(sample(life[p], priv[cell], hand[cell]));
                    }
                    if (present.isEmpty()) {
                        continue; // nothing recorded from this host now: a gap, not an exit
                    }
                    for (int p : host.processes) {
                        if (life[p] != null && Float.isNaN(priv[p * sliceSlots + k])) {
                            life[p] = null; // gone while its host was recorded: it exited
                            membershipChanged = true;
                        }
                    }
                    collections++;
                    host.restartIfDue(t);
                    host.detector.ingest(new ProcessSnapshot(present, 0, 0), t);
                    long bucket = (long) Math.floor(t / settings.bucketSeconds());
                    if (bucket != host.lastJudgedBucket || membershipChanged) {
                        host.lastJudgedBucket = bucket;
                        report(host, host.detector.evaluate(t), t);
                    }
                }
            }
        }
        return new Summary(n, lives, collections, firstSlot * step, lastSlot * step);
    }

    /** The identity in effect at {@code t}: the newest that started by then, else the first. */
    private static BacktestSource.Identity identityAt(List<BacktestSource.Identity> identities, double t) {
        if (identities.isEmpty()) {
            return BacktestSource.Identity.UNKNOWN;
        }
        BacktestSource.Identity in = identities.get(0);
        for (BacktestSource.Identity i : identities) {
            if (i.fromSeconds() <= t) {
                in = i;
            }
        }
        return in;
    }

    private static float lower(float current, double value) {
        return Float.isNaN(current) || value < current ? (float) value : current;
    }

    /** The process_id labels as numbers; a label that is not one gets a number of its own above any real pid. */
    private static long[] pids(BacktestSource.Catalog catalog) {
        long[] pids = new long[catalog.processes().size()];
        long synthetic = 1L << 33;
        for (int p = 0; p < pids.length; p++) {
            try {
                pids[p] = Long.parseLong(catalog.processes().get(p).processId());
                if (pids[p] < 0) {
                    pids[p] = synthetic++;
                }
            } catch (NumberFormatException e) {
                pids[p] = synthetic++;
            }
        }
        return pids;
    }

    private static ProcessSample sample(ProcessInfo info, double privateBytes, double handles) {
        return new ProcessSample(info, ABSENT, ABSENT, handles, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT,
                ABSENT, ABSENT, ABSENT, ABSENT, privateBytes, ABSENT, ABSENT, ABSENT, ABSENT);
    }

    /** Tells the listener what changed since the host's last report. */
    private void report(Host host, LeakReport report, double t) {
        Map<ProcessInfo, String[]> now = new IdentityHashMap<>();
        for (LeakVerdict v : report.processes()) {
            String[] before = host.said.get(v.info());
            String[] words = {v.privateBytes().outcome().word(), v.handles().outcome().word()};
            ResourceVerdict[] resources = {v.privateBytes(), v.handles()};
            for (int r = 0; r < 2; r++) {
                if (before == null || !before[r].equals(words[r])) {
                    ResourceVerdict rv = resources[r];
                    listener.change(new Change(t, host.instance, v.info().name(), v.info().pidLabel(), v.info().startTimeSeconds(),
                            r == 0 ? "private_bytes" : "handles", words[r], rv.suspect(), rv.rule(), rv.why()));
                }
            }
            now.put(v.info(), words);
        }
        host.said.clear();
        host.said.putAll(now);
    }
}
