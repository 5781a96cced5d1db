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

    /** Collections in which another process of the same service ran too, for a life to count as one of a pool. */
    static final int SIBLING_COLLECTIONS = 2;
    /**
     * A life continues earlier lives only while its own growth agrees once it has points enough of its own: at least
     * this share of the threshold.
     */
    static final double AGREE_SHARE = 0.5;
    /** Earlier lives of a pool (lives that overlapped) are judged together only when at least this many of them... */
    static final int POOL_MIN_LIVES = 3;
    /** ...and at least this share of them grew on their own. */
    static final double POOL_GROWING_SHARE = 2.0 / 3;
    /** Lives that ended in the window, each shorter than an eighth of it, from which a crash loop is named. */
    static final int CRASH_LOOP_LIVES = 3;

    private static final class Tracked {
        ProcessInfo info;
        final ServiceIdentity service;
        final FloorHistory history;
        double lastSeenSeconds;
        int missed; // collections in a row without this process
        boolean dropped; // exited: a verdict judged meanwhile is not published
        int siblingCollections; // collections in which another process of its service ran too
        long judgedKey = Long.MIN_VALUE;
        long judgedLivesVersion = -1;
        /** Per resource (0 private bytes, 1 handles): the state of judgements of this life alone. */
        final ResourceVerdict.History[] own = {ResourceVerdict.History.NONE, ResourceVerdict.History.NONE};
        /** Per resource: whether its last judgement continued earlier lives (then the service's state was used). */
        final boolean[] pooled = new boolean[2];
        LeakVerdict verdict;

        Tracked(ProcessInfo info, ServiceIdentity service, FloorHistory history) {
            this.info = info;
            this.service = service;
            this.history = history;
        }

        boolean overlapped() {
            return siblingCollections >= SIBLING_COLLECTIONS;
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
    private boolean logVerdicts = true;

    LeakDetector(LeakSettings settings, double physicalMemoryBytes) {
        this(settings, physicalMemoryBytes, MAX_PROCESSES);
    }

    /** A detector that logs nothing of its verdicts: a backtest writes them out itself. */
    static LeakDetector quiet(LeakSettings settings, double physicalMemoryBytes) {
        LeakDetector d = new LeakDetector(settings, physicalMemoryBytes, MAX_PROCESSES);
        d.logVerdicts = false;
        return d;
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
        if (firstSinceRestore) {
            // saved lives that had ended go first: a saved process that did not come back is then the newest life
            finishRestoreOfEnded();
        }
        int restored = 0;
        int notTracked = 0;
        Map<ServiceIdentity, Integer> perService = new HashMap<>();
        List<Tracked> seen = new ArrayList<>(snapshot.processes().size());
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
                    t.own[0] = saved.memory();
                    t.own[1] = saved.handles();
                    t.siblingCollections = saved.overlapped() ? SIBLING_COLLECTIONS : 0;
                    pendingRestore.remove(info.pid());
                    restored++;
                }
                tracked.put(info.pid(), start, t);
            }
            t.info = info;
            t.lastSeenSeconds = nowSeconds;
            t.history.add(nowSeconds, sample.privateBytes(), sample.handles());
            perService.merge(t.service, 1, Integer::sum);
            seen.add(t);
        }
        for (Tracked t : seen) {
            if (perService.get(t.service) > 1) {
                t.siblingCollections++;
            }
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

    /** Saved lives that had already ended become earlier lives of their service again. */
    private void finishRestoreOfEnded() {
        List<SavedHistory> lives = new ArrayList<>(pendingEnded);
        lives.sort(Comparator.comparingDouble(SavedHistory::lastSample));
        for (SavedHistory s : lives) {
            becomePastLife(s);
        }
        pendingEnded = List.of();
    }

    /** Saved processes that did not come back are earlier lives of their service now. */
    private void finishRestore(int restored) {
        int total = restored + pendingRestore.size();
        List<SavedHistory> lives = new ArrayList<>(pendingRestore.values());
        lives.sort(Comparator.comparingDouble(SavedHistory::lastSample));
        for (SavedHistory s : lives) {
            becomePastLife(s);
        }
        if (total > 0) {
            LOG.info("leak detection: restored the history of {} of {} saved processes (the others exited or restarted)",
                    restored, total);
        }
        pendingRestore = Map.of();
    }

    private void becomePastLife(SavedHistory s) {
        if (s.service() == null) {
            return;
        }
        FloorHistory h = new FloorHistory(settings.bucketSeconds());
        adopt(h, s);
        pastLives.add(s.service(), new PastLives.Life(s.pid(), s.name(), s.startTimeSeconds(), s.firstSample(),
                s.lastSample(), h.complete(s.lastSample()), s.memory().wasSuspect() || s.handles().wasSuspect(), s.overlapped()));
        if (s.passes()) {
            pastLives.pass(s.service(), new PastLives.Passed(s.pid(), s.lastSample(), s.memory(), s.handles()));
        }
    }

    private static void adopt(FloorHistory history, SavedHistory saved) {
        FloorHistory.Buckets b = saved.buckets();
        for (int i = 0; i < b.ids().length; i++) {
            history.restoreBucket(b.ids()[i], b.privateFloors()[i], b.handleFloors()[i]);
        }
        FloorHistory.Buckets c = saved.coarse();
        for (int i = 0; i < c.ids().length; i++) {
            history.restoreCoarse(c.ids()[i], c.privateFloors()[i], c.handleFloors()[i]);
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
     * left out) is kept and logged when it was a suspect, its history becomes a past life of its service, and, when it
     * ran alone, its verdicts pass to the next life of its service.
     */
    private void ended(Tracked t) {
        // judged again only when something changed since its last verdict: judging the same buckets twice would count
        // as one more confirmation
        LeakVerdict last;
        if (verdictIsCurrent(t, t.lastSeenSeconds)) {
            last = withLatest(t.verdict, t);
        } else {
            Judgement j = snapshot(t, t.lastSeenSeconds);
            last = judge(j);
            record(t, j, last);
        }
        last = last.exited(t.lastSeenSeconds);
        if (last.suspect() && logVerdicts) {
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
        boolean overlapped = t.overlapped();
        pastLives.add(t.service, new PastLives.Life(t.info.pid(), t.info.name(), t.info.startTimeSeconds(),
                t.history.firstSampleSeconds(), t.lastSeenSeconds, last.history(), last.suspect(), overlapped));
        if (!overlapped) {
            pastLives.pass(t.service, new PastLives.Passed(t.info.pid(), t.lastSeenSeconds, stateOf(t, 0), stateOf(t, 1)));
        }
        t.dropped = true;
    }

    /** The state a process's last judgement of a resource left: its own, or its service's when it continued earlier lives. */
    private ResourceVerdict.History stateOf(Tracked t, int resource) {
        if (t.pooled[resource]) {
            PastLives.Passed p = pastLives.passed(t.service);
            if (p != null) {
                return resource == 0 ? p.memory() : p.handles();
            }
        }
        return t.own[resource];
    }

    /** What a verdict is computed from, copied under the lock so judging can run without it. */
    private record Judgement(Tracked tracked, long key, long livesVersion, ProcessInfo info, FloorHistory.Buckets buckets,
                             FloorHistory.Buckets coarse, double firstSample, List<PastLives.Life> earlier,
                             PastLives.Passed passed, List<double[]> endings, double lastPrivateBytes, double lastHandles,
                             ResourceVerdict.History[] own, LeakVerdict previous, double nowSeconds) {
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
                boolean wasSuspect = t.verdict != null ? t.verdict.suspect()
                        : j.previous() == null && v.suspect() && inheritedSuspect(j);
                record(t, j, v);
                if (v.suspect() && !wasSuspect && logVerdicts && ++newSuspects <= SUSPECTS_LOGGED_PER_EVALUATION) {
                    LOG.atWarn().setMessage("leak detection: new leak suspect")
                            .addKeyValue("process", v.info().name()).addKeyValue("process_id", v.info().pid())
                            .addKeyValue("rule", v.leading().rule()).addKeyValue("verdict", v.leading().why())
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

    /** A new life that is a suspect from its first verdict because its service was one: not a new suspect to log. */
    private static boolean inheritedSuspect(Judgement j) {
        return j.passed() != null && (j.passed().memory().wasSuspect() || j.passed().handles().wasSuspect());
    }

    /** Keeps a verdict and the state it leaves: the process's own, or its service's when it continued earlier lives. */
    private void record(Tracked t, Judgement j, LeakVerdict v) {
        t.verdict = v;
        t.judgedKey = j.key();
        t.judgedLivesVersion = j.livesVersion();
        ResourceVerdict[] resources = {v.privateBytes(), v.handles()};
        ResourceVerdict.History[] service = new ResourceVerdict.History[2];
        boolean anyPooled = false;
        for (int r = 0; r < 2; r++) {
            t.pooled[r] = v.pooled()[r];
            if (t.pooled[r]) {
                service[r] = resources[r].next();
                anyPooled = true;
            } else {
                t.own[r] = resources[r].next();
            }
        }
        if (anyPooled) {
            PastLives.Passed p = pastLives.passed(t.service);
            ResourceVerdict.History m = service[0] != null ? service[0] : p != null ? p.memory() : ResourceVerdict.History.NONE;
            ResourceVerdict.History h = service[1] != null ? service[1] : p != null ? p.handles() : ResourceVerdict.History.NONE;
            pastLives.pass(t.service, new PastLives.Passed(p != null ? p.pid() : t.info.pid(), j.nowSeconds(), m, h));
        }
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
        return v.withLatest(lastPrivate, lastHandles, untilFull(v.privateBytes(), lastPrivate));
    }

    LeakReport report() {
        return report;
    }

    private Judgement snapshot(Tracked t, double nowSeconds) {
        FloorHistory h = t.history;
        return new Judgement(t, h.judgedKey(nowSeconds), pastLives.version(t.service), t.info, h.complete(nowSeconds),
                h.coarseComplete(nowSeconds), h.firstSampleSeconds(), pastLives.of(t.service), pastLives.passed(t.service),
                pastLives.endings(t.service), h.lastPrivateBytes(), h.lastHandles(), t.own.clone(), t.verdict, nowSeconds);
    }

    /** The earlier lives a resource's verdict continues, and from which life an inherited verdict comes. */
    private record Continued(List<PastLives.Life> lives, long inheritedFrom) {
    }

    private LeakVerdict judge(Judgement j) {
        FloorHistory.Buckets own = j.buckets();
        double window = settings.windowSeconds();
        double bucket = settings.bucketSeconds();
        // earlier lives keep only the buckets still inside the window that ends with the newest complete bucket
        long newestId = (long) Math.floor(j.nowSeconds() / bucket) - 1;
        if (own.size() > 0) {
            newestId = Math.max(newestId, own.ids()[own.size() - 1]);
        }
        long fromId = newestId - LeakSettings.BUCKETS + 1;
        List<PastLives.Life> earlier = new ArrayList<>(j.earlier().size());
        List<FloorHistory.Buckets> earlierBuckets = new ArrayList<>(j.earlier().size());
        for (PastLives.Life l : j.earlier()) {
            FloorHistory.Buckets b = l.buckets().since(fromId).before(newestId + 1);
            if (b.size() == 0 || l.startSeconds() >= j.info().startTimeSeconds()) {
                continue; // out of the window, or a life that is not earlier (a sibling of a worker pool)
            }
            earlier.add(l);
            earlierBuckets.add(b);
        }
        double start = j.info().startTimeSeconds();
        List<String> crashLoop = crashLoop(j.endings(), j.nowSeconds());
        ResourceVerdict[] verdicts = new ResourceVerdict[2];
        boolean[] pooled = new boolean[2];
        double coverage = 0;
        List<PastLives.Life> shown = List.of();
        for (int r = 0; r < 2; r++) {
            boolean handles = r == 1;
            double threshold = handles ? settings.minHandleGrowthPerSecond() : settings.minGrowthBytesPerSecond();
            FloorTrend.Life ownLife = new FloorTrend.Life(start, j.firstSample(), own.bucketSeconds(), own.ids(),
                    handles ? own.handleFloors() : own.privateFloors());
            Continued continued = continued(earlier, earlierBuckets, ownLife, handles, threshold, window, j.passed());
            List<FloorTrend.Life> lives = new ArrayList<>(continued.lives().size() + 1);
            List<FloorHistory.Buckets> covered = new ArrayList<>();
            for (PastLives.Life l : continued.lives()) {
                FloorHistory.Buckets b = earlierBuckets.get(indexOf(earlier, l));
                lives.add(new FloorTrend.Life(l.startSeconds(), l.firstSampleSeconds(), b.bucketSeconds(), b.ids(),
                        handles ? b.handleFloors() : b.privateFloors()));
                covered.add(b);
            }
            lives.add(ownLife);
            covered.add(own);
            double cov = coverage(covered, fromId, j.firstSample(), bucket);
            pooled[r] = !continued.lives().isEmpty();
            // continuing earlier lives: the state they passed on (none if no life ran alone lately); else its own
            ResourceVerdict.History history = !pooled[r] ? j.own()[r] : j.passed() == null ? ResourceVerdict.History.NONE
                    : handles ? j.passed().handles() : j.passed().memory();
            FloorTrend trend = FloorTrend.of(lives, window);
            DailyLows days = DailyLows.of(j.coarse(), handles ? j.coarse().handleFloors() : j.coarse().privateFloors(),
                    window, threshold);
            UrgentGrowth urgent = handles ? null : UrgentGrowth.of(own, physicalMemoryBytes, j.lastPrivateBytes(), window,
                    threshold);
            boolean spans = spansWindow(continued.lives(), j.firstSample(), fromId, bucket);
            boolean gap = gap(own, trend, newestId, j.firstSample(), bucket, settings.sampleIntervalSeconds())
                    || spans && cov < ResourceVerdict.MIN_COVERAGE * window;
            ResourceVerdict previous = j.previous() == null ? null : handles ? j.previous().handles() : j.previous().privateBytes();
            double lowsRise = DailyLows.lastRise(own, handles ? own.handleFloors() : own.privateFloors(), j.coarse(),
                    handles ? j.coarse().handleFloors() : j.coarse().privateFloors(), window);
            ResourceVerdict.Input in = new ResourceVerdict.Input(trend, cov, spans, window, threshold, days, urgent, newestId,
                    j.coarse().size() == 0 ? Long.MIN_VALUE : j.coarse().ids()[j.coarse().size() - 1], continued.inheritedFrom(),
                    continued.lives().size(), gap, lowsRise, previous);
            ResourceVerdict v = ResourceVerdict.judge(in, history, handles ? Human::count : Human::bytes,
                    handles ? Human::countPerDay : Human::bytesPerDay);
            if (v.outcome() == ResourceVerdict.Outcome.LEARNING && !crashLoop.isEmpty()) {
                v = v.withWhy(v.why() + "; " + crashLoop.get(0));
            }
            verdicts[r] = v;
            if (r == 0) {
                coverage = cov;
                shown = continued.lives();
            }
        }
        return new LeakVerdict(j.info(), coverage, j.lastPrivateBytes(), j.lastHandles(), verdicts[0], verdicts[1],
                untilFull(verdicts[0], j.lastPrivateBytes()), own, List.copyOf(shown), Double.NaN, pooled);
    }

    private static int indexOf(List<PastLives.Life> lives, PastLives.Life life) {
        for (int i = 0; i < lives.size(); i++) {
            if (lives.get(i) == life) {
                return i;
            }
        }
        throw new IllegalStateException("not an earlier life");
    }

    /**
     * The earlier lives this life continues for one resource: the lives of the same program that ran alone (restarts),
     * and the lives of a pool when most of them grew on their own; none once this life has points enough of its own and
     * does not grow. An inherited verdict names the life it comes from while this life is too young to judge alone.
     */
    private Continued continued(List<PastLives.Life> earlier, List<FloorHistory.Buckets> earlierBuckets, FloorTrend.Life own,
                                boolean handles, double threshold, double window, PastLives.Passed passed) {
        if (earlier.isEmpty()) {
            return new Continued(List.of(), -1);
        }
        FloorTrend alone = FloorTrend.of(List.of(own), window);
        boolean ownEnough = alone != null && alone.points() >= ResourceVerdict.MIN_POINTS;
        if (ownEnough && !(alone.slopePerSecond() >= AGREE_SHARE * threshold)) {
            return new Continued(List.of(), -1); // its own samples do not grow: it is not the life it replaced
        }
        List<PastLives.Life> sequential = new ArrayList<>();
        List<PastLives.Life> pool = new ArrayList<>();
        int poolGrowing = 0;
        for (int i = 0; i < earlier.size(); i++) {
            PastLives.Life l = earlier.get(i);
            if (!l.overlapped()) {
                sequential.add(l);
                continue;
            }
            double slope = l.slopes()[handles ? 1 : 0];
            if (!Double.isNaN(slope)) {
                pool.add(l);
                poolGrowing += slope >= AGREE_SHARE * threshold ? 1 : 0;
            }
        }
        List<PastLives.Life> out = new ArrayList<>(sequential);
        if (pool.size() >= POOL_MIN_LIVES && poolGrowing >= POOL_GROWING_SHARE * pool.size()) {
            out.addAll(pool);
            out.sort(Comparator.comparingDouble(PastLives.Life::startSeconds));
        }
        long inheritedFrom = !sequential.isEmpty() && !ownEnough && passed != null ? passed.pid() : -1;
        return new Continued(out, inheritedFrom);
    }

    /** Time covered by samples in the window: the union of the buckets of every life judged, never a sum. */
    private static double coverage(List<FloorHistory.Buckets> lives, long fromId, double ownFirstSample, double bucket) {
        java.util.BitSet covered = new java.util.BitSet(LeakSettings.BUCKETS);
        for (FloorHistory.Buckets b : lives) {
            for (int i = 0; i < b.size(); i++) {
                long id = b.ids()[i];
                if (id >= fromId && (!Double.isNaN(b.privateFloors()[i]) || !Double.isNaN(b.handleFloors()[i]))) {
                    covered.set((int) (id - fromId));
                }
            }
        }
        double seconds = covered.cardinality() * bucket;
        // this life's first bucket is partial unless an earlier life covered it
        if (lives.size() == 1 && !Double.isNaN(ownFirstSample) && covered.cardinality() > 0) {
            long firstId = (long) Math.floor(ownFirstSample / bucket);
            if (firstId >= fromId) {
                seconds -= Math.min(bucket, Math.max(0, ownFirstSample - firstId * bucket));
            }
        }
        return Math.max(0, seconds);
    }

    /**
     * Whether the samples needed to judge are missing: the newest complete bucket has none although the process ran
     * through it, or too few of the latest quarter window have any to tell whether it still grows.
     */
    private static boolean gap(FloorHistory.Buckets own, FloorTrend trend, long newestId, double firstSample, double bucket,
                               double sampleInterval) {
        boolean ranThrough = !Double.isNaN(firstSample) && firstSample < newestId * bucket;
        // a bucket without a sample is missing data only when it is long enough to hold two samples
        boolean newestMissing = bucket >= 2 * sampleInterval && (own.size() == 0 || own.ids()[own.size() - 1] < newestId);
        long hole = Math.max(GAP_BUCKETS, (long) Math.ceil(3 * sampleInterval / bucket));
        return ranThrough && newestMissing || trend != null && trend.points() >= ResourceVerdict.MIN_POINTS
                && Double.isNaN(trend.recentRise()) || longestHole(own) > hole;
    }

    /**
     * Missing buckets in a row inside a life's window (an eighth of the window, and at least three sample intervals): a
     * longer hole holds the verdict.
     */
    static final int GAP_BUCKETS = LeakSettings.BUCKETS / 8;

    private static long longestHole(FloorHistory.Buckets own) {
        long longest = 0;
        for (int i = 1; i < own.size(); i++) {
            longest = Math.max(longest, own.ids()[i] - own.ids()[i - 1] - 1);
        }
        return longest;
    }

    /** Whether the lives judged began before the window: then a window not covered is samples missing, not youth. */
    private static boolean spansWindow(List<PastLives.Life> earlier, double ownFirstSample, long fromId, double bucket) {
        double first = ownFirstSample;
        for (PastLives.Life l : earlier) {
            first = Math.min(first, l.firstSampleSeconds());
        }
        return first <= fromId * bucket;
    }

    /** "ended 14 times in the last 24.0 h ...", when a service's recent lives were all short. */
    private List<String> crashLoop(List<double[]> endings, double nowSeconds) {
        double window = settings.windowSeconds();
        int n = 0;
        double longest = 0;
        double shortest = Double.POSITIVE_INFINITY;
        for (double[] e : endings) {
            if (e[1] >= nowSeconds - window) {
                n++;
                longest = Math.max(longest, e[1] - e[0]);
                shortest = Math.min(shortest, e[1] - e[0]);
            }
        }
        if (n < CRASH_LOOP_LIVES || longest >= window / 8) {
            return List.of();
        }
        return List.of("this program ended " + n + " times in the last " + Human.duration(window) + ", each life lasting "
                + Human.duration(shortest) + " to " + Human.duration(longest) + ": too short to judge growth on its own "
                + "(a crash loop, or workers recycled this often?)");
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
     * nothing), and the past lives of services with what they passed on.
     */
    synchronized List<SavedHistory> export() {
        List<SavedHistory> out = new ArrayList<>(pendingRestore.values());
        out.addAll(pendingEnded);
        Map<ServiceIdentity, PastLives.Passed> passed = pastLives.allPassed();
        java.util.Set<ServiceIdentity> passWritten = new java.util.HashSet<>();
        pastLives.all().forEach((service, lives) -> {
            PastLives.Passed p = passed.get(service);
            for (PastLives.Life l : lives) {
                boolean passes = p != null && p.pid() == l.pid() && passWritten.add(service);
                ResourceVerdict.History m = passes ? p.memory() : new ResourceVerdict.History(l.suspect(), ResourceVerdict.History.WINDOW, 0, 0, 0,
                        Long.MIN_VALUE, Long.MIN_VALUE);
                ResourceVerdict.History h = passes ? p.handles() : ResourceVerdict.History.NONE;
                out.add(new SavedHistory(l.pid(), l.startSeconds(), l.name(), service, l.firstSampleSeconds(), l.endSeconds(),
                        Double.NaN, Double.NaN, m, h, l.overlapped(), true, passes, l.buckets(), FloorHistory.Buckets.EMPTY));
            }
        });
        passed.forEach((service, p) -> {
            if (passWritten.add(service)) {
                // the life that passed it on was too short to keep: only what it passed on is saved
                out.add(new SavedHistory(p.pid(), p.endSeconds(), "", service, p.endSeconds(), p.endSeconds(), Double.NaN,
                        Double.NaN, p.memory(), p.handles(),
                        false, true, true, FloorHistory.Buckets.EMPTY, FloorHistory.Buckets.EMPTY));
            }
        });
        tracked.forEach((t, unseenRounds) -> {
            FloorHistory h = t.history;
            out.add(new SavedHistory(t.info.pid(), t.info.startTimeSeconds(), t.info.name(), t.service, h.firstSampleSeconds(),
                    h.lastSampleSeconds(), h.lastPrivateBytes(), h.lastHandles(), t.own[0], t.own[1], t.overlapped(), false,
                    false, h.all(), h.coarseAll()));
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
