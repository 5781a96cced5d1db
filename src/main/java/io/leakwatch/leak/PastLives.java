package io.leakwatch.leak;


import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a service (see {@link ServiceIdentity}) leaves behind when its processes end, for the processes that come after
 * them: its earlier lives that ended inside the window (so a service restarted more often than the window is judged
 * over its recent lives), the verdicts and confirmation streaks its last life ended with (so a restart does not start
 * the confirmation again), and when its recent lives started and ended (so a crash loop can be named). Bounded: at most
 * {@link #MAX_BUCKETS_PER_SERVICE} buckets (eight windows' worth, so a pool of short-lived workers still covers a day),
 * {@link #MAX_LIVES_PER_SERVICE} lives and {@link #MAX_ENDINGS} endings per service, {@link #MAX_LIVES} lives in all,
 * {@link #MAX_SERVICES} services
 * (the one whose last life ended longest ago goes first), each life at most one window of buckets; a life with fewer
 * than {@link #MIN_FLOORS} complete buckets (a short command, a crash loop) is counted but not kept. Not thread-safe:
 * the detector guards it.
 */
final class PastLives {
    /** Buckets kept per service: eight windows' worth, as eight full lives. */
    static final int MAX_BUCKETS_PER_SERVICE = 8 * (LeakSettings.BUCKETS + 1);
    /** Lives kept per service (each has at least {@link #MIN_FLOORS} buckets, so the bucket budget bounds them too). */
    static final int MAX_LIVES_PER_SERVICE = 128;
    static final int MAX_SERVICES = 256;
    static final int MIN_FLOORS = 3;
    /** Lives kept over all services: bounds the heap and the state file however the lives are spread. */
    static final int MAX_LIVES = 4096;
    /** Endings remembered per service, for naming a crash loop. */
    static final int MAX_ENDINGS = 32;

    /**
     * One life that ended.
     *
     * @param pid                its process id
     * @param name               process name
     * @param startSeconds       when it started
     * @param firstSampleSeconds its first sample
     * @param endSeconds         its last sample
     * @param buckets            its complete buckets
     * @param suspect            it was a suspect (either resource) when it ended
     * @param overlapped         other processes of the same service ran beside it (a pool): its verdict is not passed on,
     *                           and its history is judged with others' only when most of the pool's lives grew
     * @param slopes             per resource (private bytes, handles), the Theil–Sen growth of this life alone (NaN with
     *                           too few floors): how a pool's lives vote
     */
    record Life(long pid, String name, double startSeconds, double firstSampleSeconds, double endSeconds,
                FloorHistory.Buckets buckets, boolean suspect, boolean overlapped, double[] slopes) {
        Life(long pid, String name, double startSeconds, double firstSampleSeconds, double endSeconds,
             FloorHistory.Buckets buckets, boolean suspect, boolean overlapped) {
            this(pid, name, startSeconds, firstSampleSeconds, endSeconds, buckets, suspect, overlapped,
                    new double[]{slope(buckets, buckets.privateFloors(), startSeconds, firstSampleSeconds),
                            slope(buckets, buckets.handleFloors(), startSeconds, firstSampleSeconds)});
        }

        private static double slope(FloorHistory.Buckets b, double[] floors, double start, double first) {
            FloorTrend t = FloorTrend.of(List.of(new FloorTrend.Life(start, first, b.bucketSeconds(), b.ids(), floors)),
                    LeakSettings.BUCKETS * b.bucketSeconds());
            return t == null ? Double.NaN : t.slopePerSecond();
        }

        long approximateBytes() {
            return 80 + 3L * (16 + 8L * buckets.ids().length) + 40 + name.length() + 32;
        }

        // identity, not the arrays' contents: a life is one object from its end on
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /**
     * What the last life that ran alone passed on: its verdicts' state per resource.
     *
     * @param pid        that life's pid
     * @param endSeconds when it was last seen (what it passed on is of no use a window later)
     * @param memory     private bytes
     * @param handles    handles
     */
    record Passed(long pid, double endSeconds, ResourceVerdict.History memory, ResourceVerdict.History handles) {
    }

    /** A service's ended lives, oldest first, and the version they were last changed at. */
    private static final class Entry {
        final Deque<Life> lives = new ArrayDeque<>();
        final Deque<double[]> endings = new ArrayDeque<>(); // {start, end}
        Passed passed;
        long version;
        int buckets;
    }

    private final double windowSeconds;
    private final LinkedHashMap<ServiceIdentity, Entry> byService = new LinkedHashMap<>(16, 0.75f, false);
    private long version;
    private int lives;

    PastLives(double windowSeconds) {
        this.windowSeconds = windowSeconds;
    }

    /** Records that a life ended; keeps its history when it has enough complete buckets. */
    void add(ServiceIdentity service, Life life) {
        int floors = 0;
        for (int i = 0; i < life.buckets().ids().length; i++) {
            if (!Double.isNaN(life.buckets().privateFloors()[i]) || !Double.isNaN(life.buckets().handleFloors()[i])) {
                floors++;
            }
        }
        Entry entry = touch(service);
        entry.endings.addLast(new double[]{life.startSeconds(), life.endSeconds()});
        while (entry.endings.size() > MAX_ENDINGS) {
            entry.endings.removeFirst();
        }
        if (floors >= MIN_FLOORS) {
            entry.lives.addLast(life);
            entry.buckets += life.buckets().size();
            lives++;
            while (entry.lives.size() > MAX_LIVES_PER_SERVICE || entry.buckets > MAX_BUCKETS_PER_SERVICE) {
                dropOldest(entry);
            }
        }
        entry.version = ++version;
        // over all services: the oldest lives of the service whose last life ended longest ago go first
        Iterator<Entry> it = byService.values().iterator();
        while (lives > MAX_LIVES && it.hasNext()) {
            Entry e = it.next();
            while (lives > MAX_LIVES && !e.lives.isEmpty() && e != entry) {
                dropOldest(e);
                e.version = ++version;
            }
        }
    }

    private void dropOldest(Entry e) {
        e.buckets -= e.lives.removeFirst().buckets().size();
        lives--;
    }

    /** What a life that ran alone passes on to the next life of its service. */
    void pass(ServiceIdentity service, Passed passed) {
        touch(service).passed = passed;
    }

    /** The service's entry, moved to the newest end (created when missing), within the service cap. */
    private Entry touch(ServiceIdentity service) {
        Entry entry = byService.remove(service); // re-inserted last: newest ended service last
        if (entry == null) {
            entry = new Entry();
        }
        byService.put(service, entry);
        while (byService.size() > MAX_SERVICES) {
            Iterator<Entry> it = byService.values().iterator();
            lives -= it.next().lives.size();
            it.remove();
        }
        return entry;
    }

    /** Drops lives and endings older than the window, and services left with nothing. */
    void prune(double nowSeconds) {
        Iterator<Entry> it = byService.values().iterator();
        double oldest = nowSeconds - windowSeconds;
        while (it.hasNext()) {
            Entry e = it.next();
            boolean changed = false;
            while (!e.lives.isEmpty() && e.lives.peekFirst().endSeconds() < oldest) { // lives are kept in the order they ended
                dropOldest(e);
                changed = true;
            }
            changed |= e.endings.removeIf(x -> x[1] < oldest);
            if (e.passed != null && e.passed.endSeconds() < oldest) {
                e.passed = null;
            }
            if (e.lives.isEmpty() && e.endings.isEmpty() && e.passed == null) {
                it.remove();
            } else if (changed) {
                e.version = ++version;
            }
        }
    }

    /** The service's ended lives, oldest first (an immutable copy; the lives themselves never change). */
    List<Life> of(ServiceIdentity service) {
        Entry entry = byService.get(service);
        return entry == null ? List.of() : List.copyOf(entry.lives);
    }

    /** What the service's last life that ran alone passed on, or null. */
    Passed passed(ServiceIdentity service) {
        Entry entry = byService.get(service);
        return entry == null ? null : entry.passed;
    }

    /** When the service's recent lives (inside the window) started and ended, oldest first. */
    List<double[]> endings(ServiceIdentity service) {
        Entry entry = byService.get(service);
        return entry == null ? List.of() : List.copyOf(entry.endings);
    }

    /** Changes whenever the service's lives change: an unchanged version means the same pooled verdict. */
    long version(ServiceIdentity service) {
        Entry entry = byService.get(service);
        return entry == null ? 0 : entry.version;
    }

    /** Every kept life with its service, for the state file. */
    Map<ServiceIdentity, List<Life>> all() {
        Map<ServiceIdentity, List<Life>> out = new LinkedHashMap<>();
        byService.forEach((k, v) -> {
            if (!v.lives.isEmpty()) {
                out.put(k, new ArrayList<>(v.lives));
            }
        });
        return out;
    }

    /** Every service's passed-on state, for the state file. */
    Map<ServiceIdentity, Passed> allPassed() {
        Map<ServiceIdentity, Passed> out = new LinkedHashMap<>();
        byService.forEach((k, v) -> {
            if (v.passed != null) {
                out.put(k, v.passed);
            }
        });
        return out;
    }

    int services() {
        return byService.size();
    }

    int lives() {
        return lives;
    }

    long approximateBytes() {
        long sum = 0;
        for (Entry e : byService.values()) {
            sum += 96 + 48L * e.endings.size() + (e.passed == null ? 0 : 112);
            for (Life l : e.lives) {
                sum += l.approximateBytes();
            }
        }
        return sum;
    }
}
