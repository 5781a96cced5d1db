package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;
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
 * judges each one, together with the earlier lives of the same service ({@link ServiceIdentity},
 * kept by {@link PastLives}). Memory: one {@link FloorHistory} (about 1.4 KiB, see
 * {@link FloorHistory#approximateBytes()}) per process, at most {@link #MAX_PROCESSES} processes,
 * plus the past lives' bound. A process that exits gets its last verdict (logged when it was a
 * suspect), becomes a past life of its service and is dropped.
 * <p>
 * A verdict is recomputed only when a bucket completes (or the service's past lives change): the
 * bucket still filling is never judged, so between two bucket ends nothing the verdict reads changes.
 */
final class LeakDetector {
    private static final Logger LOG = LoggerFactory.getLogger(LeakDetector.class);
    /** Global cap: beyond it new processes are not tracked. */
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
        final ServiceIdentity service;
        final FloorHistory history;
        double lastSeenSeconds;
        int missed; // collections in a row without this process
        boolean dropped; // exited: a verdict judged meanwhile is not published
        long judgedKey = Long.MIN_VALUE;
        long judgedLivesVersion = -1;
        ResourceVerdict.History privateHistory = ResourceVerdict.History.NONE; // hysteresis and confirmation
        ResourceVerdict.History handleHistory = ResourceVerdict.History.NONE;
        LeakVerdict verdict;

        Tracked(ProcessInfo info, ServiceIdentity service, FloorHistory history) {
            this.info = info;
            this.service = service;
            this.history = history;
        }
    }

    private final LeakSettings settings;
    private final double physicalMemoryBytes;
    private final int maxProcesses;
    private final LifetimeCache<Long, Tracked> tracked = new LifetimeCache<>();
    private final PastLives pastLives;
    private final Deque<LeakVerdict> exitedSuspects = new ArrayDeque<>();
    private Map<Long, SavedHistory> pendingRestore = Map.of();
    private List<SavedHistory> pendingEnded = List.of();
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
        this.pastLives = new PastLives(settings.windowSeconds());
        this.report = LeakReport.empty(settings, physicalMemoryBytes);
    }

    /**
     * Histories from the state file: live processes are adopted by the first collection when their pid and start
     * time match; the others, and lives that had already ended, become past lives of their service.
     */
    synchronized void restore(List<SavedHistory> saved) {
        Map<Long, SavedHistory> byPid = new HashMap<>();
        List<SavedHistory> ended = new ArrayList<>();
        for (SavedHistory s : saved) {
            if (s.ended()) {
                ended.add(s);
            } else {
                byPid.put(s.pid(), s);
            }
        }
        pendingRestore = byPid;
        pendingEnded = ended;
    }

    /** Adds one collection: called on the collector thread for scrapes and background samples alike. */
    synchronized void ingest(ProcessSnapshot snapshot, double nowSeconds) {
        boolean firstSinceRestore = !pendingRestore.isEmpty() || !pendingEnded.isEmpty();
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
                    ended(previous); // the pid was reused: that lifetime has ended, and this one takes its place
                }
                ServiceIdentity service = ServiceIdentity.of(info);
                t = new Tracked(info, service, new FloorHistory(settings.bucketSeconds()));
                SavedHistory saved = pendingRestore.get(info.pid());
                if (saved != null && Math.abs(saved.startTimeSeconds() - info.startTimeSeconds()) < START_TIME_TOLERANCE_SECONDS) {
                    adopt(t.history, saved);
                    t.privateHistory = new ResourceVerdict.History(saved.suspect(), 0);
                    pendingRestore.remove(info.pid());
                    restored++;
                } else {
                    t.privateHistory = null; // decided at the first judgement, once the previous life has ended
                }
                tracked.put(info.pid(), start, t);
            }
            t.info = info;
            t.lastSeenSeconds = nowSeconds;
            t.history.add(nowSeconds, sample.privateBytes(), sample.handles());
        }
        if (firstSinceRestore) { // decided before the loop: adopting every saved process empties pendingRestore
            finishRestore(restored);
        }
        untracked = notTracked;
        if (notTracked > 0 && !capLogged) {
            LOG.warn("leak detection: tracking at most {} processes; {} more are not tracked (narrow --collector.process.include)",
                    maxProcesses, notTracked);
            capLogged = true;
        }
        dropExited(snapshot.skippedLiveOnes());
        pastLives.prune(nowSeconds);
    }

    /** Saved processes that did not come back are earlier lives of their service now. */
    private void finishRestore(int restored) {
        int total = restored + pendingRestore.size();
        List<SavedHistory> lives = new ArrayList<>(pendingEnded);
        lives.addAll(pendingRestore.values());
        lives.sort(Comparator.comparingDouble(SavedHistory::lastSample));
        for (SavedHistory s : lives) {
            if (s.service() != null) {
                FloorHistory h = new FloorHistory(settings.bucketSeconds());
                adopt(h, s);
                pastLives.add(s.service(), new PastLives.Life(s.pid(), s.name(), s.startTimeSeconds(), s.firstSample(),
                        s.lastSample(), h.complete(s.lastSample()), s.suspect()));
            }
        }
        if (total > 0) {
            LOG.info("leak detection: restored the history of {} of {} saved processes (the others exited or restarted)",
                    restored, total);
        }
        pendingRestore = Map.of();
        pendingEnded = List.of();
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
        tracked.sweep(collectionSkippedSome ? MISSES_BEFORE_EXIT_WHEN_SKIPPING - 1 : 0, this::ended);
        tracked.forEach((t, unseenRounds) -> t.missed = unseenRounds);
    }

    /**
     * A process's lifetime has ended: its last verdict (judged as of its last sample, so the bucket it was filling is
     * left out) is kept and logged when it was a suspect, and its history becomes a past life of its service.
     */
    private void ended(Tracked t) {
        // judged again only when something changed since its last verdict: judging the same buckets twice would count
        // as one more confirmation
        LeakVerdict last = (verdictIsCurrent(t, t.lastSeenSeconds) ? withLatest(t.verdict, t) : judge(snapshot(t, t.lastSeenSeconds)))
                .exited(t.lastSeenSeconds);
        if (last.suspect()) {
            // the name is a field: the log library escapes it, so a newline in it cannot start a line
            LOG.atWarn().setMessage("leak detection: a leak suspect exited")
                    .addKeyValue("process", last.info().name()).addKeyValue("process_id", last.info().pid())
                    .addKeyValue("verdict", last.leading().why())
                    .log();
            exitedSuspects.addFirst(last);
            while (exitedSuspects.size() > EXITED_SUSPECTS_KEPT) {
                exitedSuspects.removeLast();
            }
        }
        pastLives.add(t.service, new PastLives.Life(t.info.pid(), t.info.name(), t.info.startTimeSeconds(),
                t.history.firstSampleSeconds(), t.lastSeenSeconds, last.history(), last.privateBytes().suspect()));
        t.dropped = true;
    }

    /** What a verdict is computed from, copied under the lock so judging can run without it. */
    private record Judgement(Tracked tracked, long key, long livesVersion, ProcessInfo info, FloorHistory.Buckets buckets,
                             double firstSample, List<PastLives.Life> earlier, double lastPrivateBytes, double lastHandles,
                             ResourceVerdict.History privateHistory, ResourceVerdict.History handleHistory) {
    }

    /**
     * Judges every process whose complete buckets (or past lives) changed since its last verdict and publishes a
     * new report. The judging itself runs outside the lock, so a collection never waits for it.
     */
    LeakReport evaluate(double nowSeconds) {
        List<Judgement> toJudge = new ArrayList<>();
        List<LeakVerdict> verdicts;
        List<LeakVerdict> exited;
        int untrackedNow;
        int services;
        synchronized (this) {
            List<LeakVerdict> current = new ArrayList<>(tracked.size());
            tracked.forEach((t, unseenRounds) -> {
                if (unseenRounds > 0) {
                    return; // not seen in the latest collection: no metrics for it until it is seen again
                }
                if (verdictIsCurrent(t, nowSeconds)) {
                    current.add(withLatest(t.verdict, t));
                } else {
                    toJudge.add(snapshot(t, nowSeconds));
                }
            });
            verdicts = current;
            exited = List.copyOf(exitedSuspects);
            untrackedNow = untracked;
            services = pastLives.services();
        }
        List<LeakVerdict> judged = new ArrayList<>(toJudge.size());
        for (Judgement j : toJudge) {
            judged.add(judge(j));
        }
        int newSuspects = 0;
        synchronized (this) {
            for (int i = 0; i < toJudge.size(); i++) {
                Judgement j = toJudge.get(i);
                Tracked t = j.tracked();
                LeakVerdict v = judged.get(i);
                if (t.dropped || t.missed > 0) {
                    continue; // exited or unseen while it was being judged
                }
                boolean wasSuspect = t.verdict != null ? t.verdict.suspect() : j.privateHistory().wasSuspect();
                t.verdict = v;
                t.judgedKey = j.key();
                t.judgedLivesVersion = j.livesVersion();
                t.privateHistory = j.privateHistory().next(v.privateBytes());
                t.handleHistory = j.handleHistory().next(v.handles());
                if (v.suspect() && !wasSuspect && ++newSuspects <= SUSPECTS_LOGGED_PER_EVALUATION) {
                    LOG.atWarn().setMessage("leak detection: new leak suspect")
                            .addKeyValue("process", v.info().name()).addKeyValue("process_id", v.info().pid())
                            .addKeyValue("verdict", v.leading().why())
                            .log();
                }
                verdicts.add(withLatest(v, t));
            }
        }
        if (newSuspects > SUSPECTS_LOGGED_PER_EVALUATION) {
            LOG.warn("leak detection: {} more new leak suspects, see /leaks", newSuspects - SUSPECTS_LOGGED_PER_EVALUATION);
        }
        LeakReport r = new LeakReport(nowSeconds, settings, physicalMemoryBytes, verdicts, exited, untrackedNow, services);
        report = r;
        return r;
    }

    /** Whether the process's verdict was judged from what it would be judged from at {@code nowSeconds}. */
    private boolean verdictIsCurrent(Tracked t, double nowSeconds) {
        return t.verdict != null && t.judgedKey == t.history.judgedKey(nowSeconds)
                && t.judgedLivesVersion == pastLives.version(t.service) && t.verdict.info() == t.info;
    }

    /** The verdict with the newest samples and the time to exhaustion they give (these move between bucket ends). */
    private LeakVerdict withLatest(LeakVerdict v, Tracked t) {
        double lastPrivate = t.history.lastPrivateBytes();
        double lastHandles = t.history.lastHandles();
        if (lastPrivate == v.lastPrivateBytes() && (lastHandles == v.lastHandles()
                || Double.isNaN(lastHandles) && Double.isNaN(v.lastHandles()))) {
            return v;
        }
        return new LeakVerdict(v.info(), v.coverageSeconds(), lastPrivate, lastHandles, v.privateBytes(), v.handles(),
                untilFull(v.privateBytes(), lastPrivate), v.history(), v.earlierLives(), v.exitedAtSeconds());
    }

    LeakReport report() {
        return report;
    }

    private Judgement snapshot(Tracked t, double nowSeconds) {
        FloorHistory h = t.history;
        List<PastLives.Life> lives = pastLives.of(t.service);
        if (t.privateHistory == null) {
            // a new life of a service that was a suspect when its previous life ended stays one (no confirmation again)
            t.privateHistory = new ResourceVerdict.History(!lives.isEmpty() && lives.get(lives.size() - 1).suspect(), 0);
        }
        return new Judgement(t, h.judgedKey(nowSeconds), pastLives.version(t.service), t.info, h.complete(nowSeconds),
                h.firstSampleSeconds(), lives, h.lastPrivateBytes(), h.lastHandles(), t.privateHistory,
                t.handleHistory);
    }

    private LeakVerdict judge(Judgement j) {
        FloorHistory.Buckets own = j.buckets();
        double window = settings.windowSeconds();
        // earlier lives keep only the buckets still inside the window that ends with this life's newest bucket
        long newestId = own.size() > 0 ? own.ids()[own.size() - 1]
                : (long) Math.floor(j.info().startTimeSeconds() / settings.bucketSeconds());
        long fromId = newestId - LeakSettings.BUCKETS + 1;
        List<PastLives.Life> earlier = new ArrayList<>(j.earlier().size());
        List<FloorTrend.Life> memoryLives = new ArrayList<>(j.earlier().size() + 1);
        List<FloorTrend.Life> handleLives = new ArrayList<>(j.earlier().size() + 1);
        for (PastLives.Life l : j.earlier()) {
            FloorHistory.Buckets b = l.buckets().since(fromId).before(newestId + 1);
            if (b.size() == 0 || l.startSeconds() >= j.info().startTimeSeconds()) {
                continue; // out of the window, or a life that is not earlier (a sibling of a worker pool)
            }
            earlier.add(l);
            memoryLives.add(new FloorTrend.Life(l.startSeconds(), l.firstSampleSeconds(), b.bucketSeconds(), b.ids(), b.privateFloors()));
            handleLives.add(new FloorTrend.Life(l.startSeconds(), l.firstSampleSeconds(), b.bucketSeconds(), b.ids(), b.handleFloors()));
        }
        double start = j.info().startTimeSeconds();
        memoryLives.add(new FloorTrend.Life(start, j.firstSample(), own.bucketSeconds(), own.ids(), own.privateFloors()));
        handleLives.add(new FloorTrend.Life(start, j.firstSample(), own.bucketSeconds(), own.ids(), own.handleFloors()));
        double memoryCoverage = coverage(memoryLives);
        double handleCoverage = coverage(handleLives);
        FloorTrend memory = FloorTrend.of(memoryLives, window);
        FloorTrend handles = FloorTrend.of(handleLives, window);
        ResourceVerdict memoryVerdict = ResourceVerdict.judge(memory, memoryCoverage, window,
                settings.minGrowthBytesPerSecond(), j.privateHistory(), Human::bytesPerDay);
        ResourceVerdict handleVerdict = ResourceVerdict.judge(handles, handleCoverage, window,
                settings.minHandleGrowthPerSecond(), j.handleHistory(), Human::countPerDay);
        return new LeakVerdict(j.info(), memoryCoverage, j.lastPrivateBytes(), j.lastHandles(), memoryVerdict, handleVerdict,
                untilFull(memoryVerdict, j.lastPrivateBytes()), own, List.copyOf(earlier), Double.NaN);
    }

    private static double coverage(List<FloorTrend.Life> lives) {
        double sum = 0;
        for (FloorTrend.Life l : lives) {
            sum += l.coverageSeconds();
        }
        return sum;
    }

    /** Seconds until private bytes reach physical memory at the envelope's rate; only while it is rising steadily now. */
    private double untilFull(ResourceVerdict memory, double lastPrivateBytes) {
        if (!memory.growing() || !(physicalMemoryBytes > 0) || Double.isNaN(lastPrivateBytes)) {
            return Double.NaN;
        }
        return Math.max(0, physicalMemoryBytes - lastPrivateBytes) / memory.slopePerSecond();
    }

    /**
     * The histories worth saving: every tracked process, restored ones not yet matched (so an early stop loses
     * nothing), and the past lives of services.
     */
    synchronized List<SavedHistory> export() {
        List<SavedHistory> out = new ArrayList<>(pendingRestore.values());
        out.addAll(pendingEnded);
        pastLives.all().forEach((service, lives) -> {
            for (PastLives.Life l : lives) {
                out.add(new SavedHistory(l.pid(), l.startSeconds(), l.name(), service, l.firstSampleSeconds(), l.endSeconds(),
                        Double.NaN, Double.NaN, l.suspect(), true, l.buckets()));
            }
        });
        tracked.forEach((t, unseenRounds) -> {
            FloorHistory h = t.history;
            boolean suspect = t.verdict != null ? t.verdict.privateBytes().suspect()
                    : t.privateHistory != null && t.privateHistory.wasSuspect();
            out.add(new SavedHistory(t.info.pid(), t.info.startTimeSeconds(), t.info.name(), t.service, h.firstSampleSeconds(),
                    h.lastSampleSeconds(), h.lastPrivateBytes(), h.lastHandles(), suspect, false, h.all()));
        });
        return out;
    }

    synchronized int trackedCount() {
        return tracked.size();
    }

    synchronized int pastLifeCount() {
        return pastLives.lives();
    }

    /** Bytes the histories and past lives hold now (the bound the documentation states). */
    synchronized long approximateHistoryBytes() {
        long[] sum = {pastLives.approximateBytes()};
        tracked.forEach((t, unseenRounds) -> sum[0] += t.history.approximateBytes());
        return sum[0];
    }
}
