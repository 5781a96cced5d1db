package io.leakwatch.leak;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The earlier lives of services (see {@link ServiceIdentity}) that ended inside the window, so a
 * service restarted more often than the window is judged over all its recent lives. Bounded:
 * at most {@link #MAX_LIVES_PER_SERVICE} lives per service, {@link #MAX_SERVICES} services (the
 * one whose last life ended longest ago goes first), each life at most one window of buckets; a
 * life with fewer than {@link #MIN_FLOORS} complete buckets (a short command, a crash loop) is not
 * kept. Not thread-safe: the detector guards it.
 */
final class PastLives {
    static final int MAX_LIVES_PER_SERVICE = 8;
    static final int MAX_SERVICES = 256;
    static final int MIN_FLOORS = 3;

    /**
     * One life that ended.
     *
     * @param pid                its process id
     * @param name               process name
     * @param startSeconds       when it started
     * @param firstSampleSeconds its first sample
     * @param endSeconds         its last sample
     * @param buckets            its complete buckets
     * @param suspect            it was a suspect when it ended
     */
    record Life(long pid, String name, double startSeconds, double firstSampleSeconds, double endSeconds,
                FloorHistory.Buckets buckets, boolean suspect) {
        long approximateBytes() {
            return 64 + 3L * (16 + 8L * buckets.ids().length) + 40 + name.length();
        }
    }

    /** A service's ended lives, oldest first, and the version they were last changed at. */
    private static final class Lives {
        final Deque<Life> lives = new ArrayDeque<>();
        long version;
    }

    private final double windowSeconds;
    private final LinkedHashMap<ServiceIdentity, Lives> byService = new LinkedHashMap<>(16, 0.75f, false);
    private long version;

    PastLives(double windowSeconds) {
        this.windowSeconds = windowSeconds;
    }

    /** Keeps an ended life when it has enough complete buckets. */
    void add(ServiceIdentity service, Life life) {
        int floors = 0;
        for (int i = 0; i < life.buckets().ids().length; i++) {
            if (!Double.isNaN(life.buckets().privateFloors()[i]) || !Double.isNaN(life.buckets().handleFloors()[i])) {
                floors++;
            }
        }
        if (floors < MIN_FLOORS) {
            return;
        }
        Lives entry = byService.remove(service); // re-inserted last: newest ended service last
        if (entry == null) {
            entry = new Lives();
        }
        entry.lives.addLast(life);
        while (entry.lives.size() > MAX_LIVES_PER_SERVICE) {
            entry.lives.removeFirst();
        }
        entry.version = ++version;
        byService.put(service, entry);
        while (byService.size() > MAX_SERVICES) {
            Iterator<ServiceIdentity> it = byService.keySet().iterator();
            it.next();
            it.remove();
        }
    }

    /** Drops lives that ended before the window and services left with none. */
    void prune(double nowSeconds) {
        Iterator<Lives> it = byService.values().iterator();
        while (it.hasNext()) {
            Lives e = it.next();
            boolean changed = e.lives.removeIf(l -> l.endSeconds() < nowSeconds - windowSeconds);
            if (e.lives.isEmpty()) {
                it.remove();
            } else if (changed) {
                e.version = ++version;
            }
        }
    }

    /** The service's ended lives, oldest first (an immutable copy; the lives themselves never change). */
    List<Life> of(ServiceIdentity service) {
        Lives entry = byService.get(service);
        return entry == null ? List.of() : List.copyOf(entry.lives);
    }

    /** Changes whenever the service's lives change: an unchanged version means the same pooled verdict. */
    long version(ServiceIdentity service) {
        Lives entry = byService.get(service);
        return entry == null ? 0 : entry.version;
    }

    /** Every kept life with its service, for the state file. */
    Map<ServiceIdentity, List<Life>> all() {
        Map<ServiceIdentity, List<Life>> out = new LinkedHashMap<>();
        byService.forEach((k, v) -> out.put(k, new ArrayList<>(v.lives)));
        return out;
    }

    int services() {
        return byService.size();
    }

    int lives() {
        int n = 0;
        for (Lives e : byService.values()) {
            n += e.lives.size();
        }
        return n;
    }

    long approximateBytes() {
        long sum = 0;
        for (Lives e : byService.values()) {
            sum += 96;
            for (Life l : e.lives) {
                sum += l.approximateBytes();
            }
        }
        return sum;
    }
}
