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

    private final double windowSeconds;
    private final LinkedHashMap<ServiceIdentity, Deque<Life>> byService = new LinkedHashMap<>(16, 0.75f, false);
    private final Map<ServiceIdentity, Long> versions = new LinkedHashMap<>();
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
        Deque<Life> lives = byService.remove(service); // re-inserted last: newest ended service last
        if (lives == null) {
            lives = new ArrayDeque<>();
        }
        lives.addLast(life);
        while (lives.size() > MAX_LIVES_PER_SERVICE) {
            lives.removeFirst();
        }
        byService.put(service, lives);
        versions.put(service, ++version);
        while (byService.size() > MAX_SERVICES) {
            Iterator<ServiceIdentity> it = byService.keySet().iterator();
            ServiceIdentity oldest = it.next();
            it.remove();
            versions.remove(oldest);
        }
    }

    /** Drops lives that ended before the window and services left with none. */
    void prune(double nowSeconds) {
        Iterator<Map.Entry<ServiceIdentity, Deque<Life>>> it = byService.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ServiceIdentity, Deque<Life>> e = it.next();
            boolean changed = e.getValue().removeIf(l -> l.endSeconds() < nowSeconds - windowSeconds);
            if (e.getValue().isEmpty()) {
                it.remove();
                versions.remove(e.getKey());
            } else if (changed) {
                versions.put(e.getKey(), ++version);
            }
        }
    }

    /** The service's ended lives, oldest first (an immutable copy; the lives themselves never change). */
    List<Life> of(ServiceIdentity service) {
        Deque<Life> lives = byService.get(service);
        return lives == null ? List.of() : List.copyOf(lives);
    }

    /** Changes whenever the service's lives change: an unchanged version means the same pooled verdict. */
    long version(ServiceIdentity service) {
        return versions.getOrDefault(service, 0L);
    }

    /** Every kept life with its service, for the state file. */
    Map<ServiceIdentity, List<Life>> all() {
        Map<ServiceIdentity, List<Life>> out = new LinkedHashMap<>();
        byService.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
        return out;
    }

    int services() {
        return byService.size();
    }

    int lives() {
        int n = 0;
        for (Deque<Life> d : byService.values()) {
            n += d.size();
        }
        return n;
    }

    long approximateBytes() {
        long sum = 0;
        for (Deque<Life> d : byService.values()) {
            sum += 96;
            for (Life l : d) {
                sum += l.approximateBytes();
            }
        }
        return sum;
    }
}
