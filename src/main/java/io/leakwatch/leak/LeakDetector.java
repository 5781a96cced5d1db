package io.leakwatch.leak;

import io.leakwatch.config.LeakSettings;
import io.leakwatch.model.LifetimeCache;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps a bounded floor history per live process (pid + start time) from every collection and
 * judges each one. Memory: one {@link FloorHistory} (about 1.3 KiB, see {@link FloorHistory#approximateBytes()})
 * per process, at most {@link #MAX_PROCESSES} processes. A process that exits gets its last verdict
 * (logged when it was a suspect) and is dropped.
 */
final class LeakDetector {
    private static final Logger LOG = LoggerFactory.getLogger(LeakDetector.class);
    /** Global cap: beyond it new processes are not tracked (about 6.5 MiB of histories at most). */
    static final int MAX_PROCESSES = 5000;
    private static final int EXITED_SUSPECTS_KEPT = 10;
    /** New suspects named in the log per evaluation; the rest are counted (the list is on /leaks). */
    private static final int SUSPECTS_LOGGED_PER_EVALUATION = 10;
    /**
     * A process missing from a collection that skipped some processes (read failed mid-way) may still be alive:
     * its history is kept (but not reported) for this many collections before it counts as exited.
     */
    static final int MISSES_BEFORE_EXIT_WHEN_SKIPPING = 3;
    /** A saved start time matches a live one within this (both come from the same integer clock ticks). */
    private static final double START_TIME_TOLERANCE_SECONDS = 0.01;

    private static final class Tracked {
        ProcessInfo info;
        final FloorHistory history;
        int missed; // collections in a row without this process
        boolean dropped; // exited: a verdict judged meanwhile is not published
        long judgedAtChange = -1;
        LeakVerdict verdict;

        Tracked(ProcessInfo info, FloorHistory history) {
            this.info = info;
            this.history = history;
        }
    }

    private final LeakSettings settings;
    private final double physicalMemoryBytes;
    private final int maxProcesses;
    private final LifetimeCache<Long, Tracked> tracked = new LifetimeCache<>();
    private final Deque<LeakVerdict> exitedSuspects = new ArrayDeque<>();
    private Map<Long, SavedHistory> pendingRestore = Map.of();
    private int untracked;
    private boolean capLogged;
    private volatile LeakReport report;

    LeakDetector(LeakSettings settings, double physicalMemoryBytes) {
        this(settings, physicalMemoryBytes, MAX_PROCESSES);
    }

    LeakDetector(LeakSettings settings, double physicalMemoryBytes, int maxProcesses) {
        this.settings = settings;
        this.physicalMemoryBytes = physicalMemoryBytes;
        this.maxProcesses = maxProcesses;
        this.report = new LeakReport(Double.NaN, settings, physicalMemoryBytes, List.of(), List.of(), 0);
    }

    /** Histories from the state file, adopted by the first collection for processes still alive with the same start time. */
    synchronized void restore(List<SavedHistory> saved) {
        Map<Long, SavedHistory> byPid = new HashMap<>();
        for (SavedHistory s : saved) {
            byPid.put(s.pid(), s);
        }
        pendingRestore = byPid;
    }

    /** Adds one collection: called on the collector thread for scrapes and background samples alike. */
    synchronized void ingest(ProcessSnapshot snapshot, double nowSeconds) {
        int restored = 0;
        int notTracked = 0;
        for (ProcessSample sample : snapshot.processes()) {
            if (!ProcessSample.isPresent(sample.privateBytes())) {
                continue;
            }
            ProcessInfo info = sample.info();
            long start = Double.doubleToLongBits(info.startTimeSeconds());
            Tracked t = tracked.get(info.pid(), start);
            if (t == null) {
                Tracked previous = tracked.peek(info.pid());
                if (previous == null && tracked.size() >= maxProcesses) {
                    notTracked++;
                    continue;
                }
                if (previous != null) {
                    exited(previous); // the pid was reused: that lifetime has ended, and this one takes its place
                }
                t = new Tracked(info, new FloorHistory(settings.bucketSeconds(), LeakSettings.BUCKETS));
                SavedHistory saved = pendingRestore.get(info.pid());
                if (saved != null && Math.abs(saved.startTimeSeconds() - info.startTimeSeconds()) < START_TIME_TOLERANCE_SECONDS) {
                    adopt(t.history, saved);
                    restored++;
                }
                tracked.put(info.pid(), start, t);
            }
            t.info = info;
            t.history.add(nowSeconds, sample.privateBytes(), sample.handles());
        }
        if (!pendingRestore.isEmpty()) {
            LOG.info("leak detection: restored the history of {} of {} saved processes (the others exited or restarted)",
                    restored, pendingRestore.size());
            pendingRestore = Map.of();
        }
        untracked = notTracked;
        if (notTracked > 0 && !capLogged) {
            LOG.warn("leak detection: tracking at most {} processes; {} more are not tracked (narrow --collector.process.include)",
                    maxProcesses, notTracked);
            capLogged = true;
        }
        dropExited(snapshot.skippedVanished() + snapshot.skippedMalformed() > 0);
    }

    private static void adopt(FloorHistory history, SavedHistory saved) {
        FloorHistory.Buckets b = saved.buckets();
        for (int i = 0; i < b.ids().length; i++) {
            history.restoreBucket(b.ids()[i], b.privateFloors()[i], b.handleFloors()[i]);
        }
        history.restoreSpan(saved.firstSample(), saved.lastSample(), saved.lastPrivateBytes(), saved.lastHandles());
    }

    private void dropExited(boolean collectionSkippedSome) {
        // After a collection that skipped some processes (a read failed mid-way), a missing process may
        // still be alive: keep its history (but report nothing for it) for a few collections.
        tracked.sweep(collectionSkippedSome ? MISSES_BEFORE_EXIT_WHEN_SKIPPING - 1 : 0, this::exited);
        tracked.forEach((t, unseenRounds) -> t.missed = unseenRounds);
    }

    /** A process's last verdict, kept and logged when it was a suspect; its history goes. */
    private void exited(Tracked t) {
        LeakVerdict last = judge(t);
        if (last.suspect()) {
            LOG.warn("leak detection: suspect {} (pid {}) exited; last verdict: {}", last.info().name(), last.info().pid(),
                    last.privateBytes().suspect() ? last.privateBytes().why() : last.handles().why());
            exitedSuspects.addFirst(last);
            while (exitedSuspects.size() > EXITED_SUSPECTS_KEPT) {
                exitedSuspects.removeLast();
            }
        }
        t.dropped = true;
    }

    /** What a verdict is computed from, copied under the lock so judging can run without it. */
    private record Judgement(Tracked tracked, long atChange, ProcessInfo info, FloorHistory.Buckets buckets, double coverage,
                             double lastPrivateBytes, double lastHandles) {
    }

    /**
     * Judges every process whose floors changed since its last verdict and publishes a new report. The judging
     * itself (about 0.2 ms per process) runs outside the lock, so a collection never waits for it.
     */
    LeakReport evaluate(double nowSeconds) {
        List<Judgement> toJudge = new ArrayList<>();
        List<LeakVerdict> verdicts;
        List<LeakVerdict> exited;
        int untrackedNow;
        synchronized (this) {
            List<LeakVerdict> current = new ArrayList<>(tracked.size());
            tracked.forEach((t, unseenRounds) -> {
                if (unseenRounds > 0) {
                    return; // not seen in the latest collection: no metrics for it until it is seen again
                }
                if (t.verdict == null || t.judgedAtChange != t.history.changes() || t.verdict.info() != t.info) {
                    toJudge.add(snapshot(t));
                } else {
                    current.add(t.verdict);
                }
            });
            verdicts = current;
            exited = List.copyOf(exitedSuspects);
            untrackedNow = untracked;
        }
        List<LeakVerdict> judged = new ArrayList<>(toJudge.size());
        for (Judgement j : toJudge) {
            judged.add(judge(j));
        }
        int newSuspects = 0;
        synchronized (this) {
            for (int i = 0; i < toJudge.size(); i++) {
                Tracked t = toJudge.get(i).tracked();
                LeakVerdict v = judged.get(i);
                if (t.dropped || t.missed > 0) {
                    continue; // exited or unseen while it was being judged
                }
                boolean wasSuspect = t.verdict != null && t.verdict.suspect();
                if (t.judgedAtChange <= toJudge.get(i).atChange()) {
                    t.verdict = v;
                    t.judgedAtChange = toJudge.get(i).atChange();
                }
                if (v.suspect() && !wasSuspect && ++newSuspects <= SUSPECTS_LOGGED_PER_EVALUATION) {
                    LOG.warn("leak detection: {} (pid {}) is a leak suspect: {}", v.info().name(), v.info().pid(),
                            v.privateBytes().suspect() ? v.privateBytes().why() : v.handles().why());
                }
                verdicts.add(v);
            }
        }
        if (newSuspects > SUSPECTS_LOGGED_PER_EVALUATION) {
            LOG.warn("leak detection: {} more new leak suspects, see /leaks", newSuspects - SUSPECTS_LOGGED_PER_EVALUATION);
        }
        verdicts.sort(Comparator.comparingDouble((LeakVerdict v) -> {
            double slope = v.privateBytes().slopePerSecond();
            return Double.isNaN(slope) ? Double.NEGATIVE_INFINITY : slope;
        }).reversed());
        LeakReport r = new LeakReport(nowSeconds, settings, physicalMemoryBytes, List.copyOf(verdicts), exited, untrackedNow);
        report = r;
        return r;
    }

    LeakReport report() {
        return report;
    }

    private static Judgement snapshot(Tracked t) {
        FloorHistory h = t.history;
        return new Judgement(t, h.changes(), t.info, h.buckets(), h.coverageSeconds(), h.lastPrivateBytes(), h.lastHandles());
    }

    private LeakVerdict judge(Tracked t) {
        return judge(snapshot(t));
    }

    private LeakVerdict judge(Judgement j) {
        FloorHistory.Buckets b = j.buckets();
        double coverage = j.coverage();
        FloorTrend memory = FloorTrend.of(b.midSeconds(), b.privateFloors());
        FloorTrend handles = FloorTrend.of(b.midSeconds(), b.handleFloors());
        ResourceVerdict memoryVerdict = ResourceVerdict.judge(memory, coverage, settings.windowSeconds(),
                settings.minGrowthBytesPerSecond(), Human::bytesPerDay);
        ResourceVerdict handleVerdict = ResourceVerdict.judge(handles, coverage, settings.windowSeconds(),
                settings.minHandleGrowthPerSecond(), Human::countPerDay);
        double untilFull = Double.NaN;
        if (memory != null && memory.slopePerSecond() > 0 && physicalMemoryBytes > 0) {
            untilFull = Math.max(0, physicalMemoryBytes - j.lastPrivateBytes()) / memory.slopePerSecond();
        }
        return new LeakVerdict(j.info(), coverage, j.lastPrivateBytes(), j.lastHandles(), memoryVerdict, handleVerdict,
                untilFull, b);
    }

    /** The histories worth saving: every tracked process, and restored ones not yet matched (so an early stop loses nothing). */
    synchronized List<SavedHistory> export() {
        List<SavedHistory> out = new ArrayList<>(pendingRestore.values());
        tracked.forEach((t, unseenRounds) -> {
            FloorHistory h = t.history;
            out.add(new SavedHistory(t.info.pid(), t.info.startTimeSeconds(), t.info.name(), h.firstSampleSeconds(),
                    h.lastSampleSeconds(), h.lastPrivateBytes(), h.lastHandles(), h.buckets()));
        });
        return out;
    }

    synchronized int trackedCount() {
        return tracked.size();
    }

    /** Bytes the histories hold now (the bound the README states). */
    synchronized long approximateHistoryBytes() {
        long[] sum = {0};
        tracked.forEach((t, unseenRounds) -> sum[0] += t.history.approximateBytes());
        return sum[0];
    }
}
