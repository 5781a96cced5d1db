package io.leakwatch.model;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ObjIntConsumer;

/**
 * Facts that hold for one process lifetime, kept across collections: a pid is reused by the OS,
 * so an entry belongs to a key (the pid, or a form of it) and a start stamp (the start time, in
 * whatever unit the source gives it exactly). Each collection is a round: {@link #get} and
 * {@link #put} mark an entry seen, and {@link #sweep} forgets the lifetimes a round did not see, so
 * the cache never holds more than the processes alive now (plus a grace the caller chooses).
 * Not thread-safe: one collection at a time, as backends are used.
 *
 * @param <K> the key, usually the pid
 * @param <V> what is known about the lifetime
 */
public final class LifetimeCache<K, V> {
    private static final class Entry<V> {
        final long startStamp;
        final V value;
        long lastSeenRound;

        Entry(long startStamp, V value, long round) {
            this.startStamp = startStamp;
            this.value = value;
            this.lastSeenRound = round;
        }
    }

    private final Map<K, Entry<V>> entries = new HashMap<>();
    private long round;

    /**
     * @return what is known about this lifetime, marked as seen in this round; null when the key is
     * unknown or belongs to another lifetime (the pid was reused)
     */
    public V get(K key, long startStamp) {
        Entry<V> e = entries.get(key);
        if (e == null || e.startStamp != startStamp) {
            return null;
        }
        e.lastSeenRound = round;
        return e.value;
    }

    /**
     * What is cached under the key, of whichever lifetime, without marking it seen: for what any
     * lifetime under the key shares (a path, say), looked up before the start stamp is known.
     */
    public V peek(K key) {
        Entry<V> e = entries.get(key);
        return e == null ? null : e.value;
    }

    /** Records a lifetime (replacing whatever the key held), seen in this round. */
    public void put(K key, long startStamp, V value) {
        entries.put(key, new Entry<>(startStamp, value, round));
    }

    /** Ends the round: forgets every lifetime it did not see. */
    public void sweep() {
        sweep(0, v -> { });
    }

    /**
     * Ends the round: forgets the lifetimes unseen for more than {@code graceRounds} rounds in a row,
     * handing each to {@code onForget} first.
     */
    public void sweep(int graceRounds, Consumer<V> onForget) {
        Iterator<Entry<V>> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry<V> e = it.next();
            if (round - e.lastSeenRound > graceRounds) {
                onForget.accept(e.value);
                it.remove();
            }
        }
        round++;
    }

    /**
     * Visits every lifetime with the number of rounds since it was last seen: 0 for those seen in the
     * round that the last {@link #sweep} ended.
     */
    public void forEach(ObjIntConsumer<V> visitor) {
        for (Entry<V> e : entries.values()) {
            visitor.accept(e.value, (int) Math.min(Integer.MAX_VALUE, round - 1 - e.lastSeenRound));
        }
    }

    public int size() {
        return entries.size();
    }

    public void clear() {
        entries.clear();
    }
}
