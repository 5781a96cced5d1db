package io.leakwatch.leak;

import io.leakwatch.config.LeakSettings;

import java.util.Arrays;

/**
 * One process's recent history as per-bucket floors (the lowest value seen in each bucket) of
 * private bytes and handles: a sawtooth shorter than a bucket vanishes, growth that cannot be
 * trimmed stays. A fixed ring of {@link LeakSettings#BUCKETS} buckets covers the window, so the
 * memory per process never grows: see {@link #approximateBytes()}.
 */
final class FloorHistory {
    private final double bucketSeconds;
    private final long[] bucketIds;       // absolute bucket number (time / bucketSeconds); -1 = empty
    private final double[] privateFloors; // NaN = no value in this bucket
    private final double[] handleFloors;
    private double firstSampleSeconds = Double.NaN;
    private double lastSampleSeconds = Double.NaN;
    private double lastPrivateBytes = Double.NaN;
    private double lastHandles = Double.NaN;
    private long changes; // bumped whenever a floor changes, so verdicts are recomputed only then

    FloorHistory(double bucketSeconds, int buckets) {
        this.bucketSeconds = bucketSeconds;
        this.bucketIds = new long[buckets];
        this.privateFloors = new double[buckets];
        this.handleFloors = new double[buckets];
        Arrays.fill(bucketIds, -1);
        Arrays.fill(privateFloors, Double.NaN);
        Arrays.fill(handleFloors, Double.NaN);
    }

    /** Adds one sample; NaN values (not readable) are ignored. Samples older than the newest bucket are dropped. */
    void add(double timeSeconds, double privateBytes, double handles) {
        long id = (long) Math.floor(timeSeconds / bucketSeconds);
        int slot = slot(id);
        if (bucketIds[slot] != id) {
            if (bucketIds[slot] > id) {
                return; // clock went backwards past a whole ring: keep the newer history
            }
            bucketIds[slot] = id;
            privateFloors[slot] = Double.NaN;
            handleFloors[slot] = Double.NaN;
            changes++;
        }
        if (lower(privateFloors, slot, privateBytes) | lower(handleFloors, slot, handles)) {
            changes++;
        }
        if (Double.isNaN(firstSampleSeconds)) {
            firstSampleSeconds = timeSeconds;
        }
        lastSampleSeconds = timeSeconds;
        lastPrivateBytes = privateBytes;
        lastHandles = handles;
    }

    /** Puts back one saved bucket (state file). */
    void restoreBucket(long id, double privateFloor, double handleFloor) {
        int slot = slot(id);
        if (bucketIds[slot] > id) {
            return;
        }
        bucketIds[slot] = id;
        privateFloors[slot] = privateFloor;
        handleFloors[slot] = handleFloor;
        changes++;
    }

    void restoreSpan(double first, double last, double lastPrivate, double lastHandleCount) {
        firstSampleSeconds = first;
        lastSampleSeconds = last;
        lastPrivateBytes = lastPrivate;
        lastHandles = lastHandleCount;
        changes++;
    }

    private static boolean lower(double[] floors, int slot, double value) {
        if (Double.isNaN(value) || (!Double.isNaN(floors[slot]) && floors[slot] <= value)) {
            return false;
        }
        floors[slot] = value;
        return true;
    }

    private int slot(long id) {
        return (int) Math.floorMod(id, (long) bucketIds.length);
    }

    /** Buckets of the window ending at the newest sample, oldest first. */
    Buckets buckets() {
        long newest = Long.MIN_VALUE;
        for (long id : bucketIds) {
            newest = Math.max(newest, id);
        }
        int n = 0;
        long[] ids = new long[bucketIds.length];
        for (int i = 0; i < bucketIds.length; i++) {
            long id = newest - (bucketIds.length - 1) + i;
            if (id >= 0 && bucketIds[slot(id)] == id) {
                ids[n++] = id;
            }
        }
        ids = Arrays.copyOf(ids, n);
        double[] mid = new double[n];
        double[] priv = new double[n];
        double[] hand = new double[n];
        for (int i = 0; i < n; i++) {
            int s = slot(ids[i]);
            mid[i] = (ids[i] + 0.5) * bucketSeconds;
            priv[i] = privateFloors[s];
            hand[i] = handleFloors[s];
        }
        return new Buckets(ids, mid, priv, hand);
    }

    /** Seconds of the window this history covers: the span sampled, but no more than the buckets actually filled. */
    double coverageSeconds() {
        if (Double.isNaN(firstSampleSeconds)) {
            return 0;
        }
        Buckets b = buckets();
        double span = lastSampleSeconds - Math.max(firstSampleSeconds, b.ids().length == 0 ? lastSampleSeconds : b.ids()[0] * bucketSeconds);
        return Math.max(0, Math.min(span, b.ids().length * bucketSeconds));
    }

    double firstSampleSeconds() {
        return firstSampleSeconds;
    }

    double lastSampleSeconds() {
        return lastSampleSeconds;
    }

    double lastPrivateBytes() {
        return lastPrivateBytes;
    }

    double lastHandles() {
        return lastHandles;
    }

    long changes() {
        return changes;
    }

    /** Bytes this history holds on a 64-bit JVM with compressed oops: three arrays plus the object. */
    long approximateBytes() {
        long arrays = 3L * (16 + 8L * bucketIds.length);
        long object = 12 + 8 * 7 + 3 * 4 + 4; // header, 7 long/double fields, 3 references, padding
        return arrays + object;
    }

    /**
     * The filled buckets, oldest first.
     *
     * @param ids           absolute bucket numbers
     * @param midSeconds    middle of each bucket (Unix seconds)
     * @param privateFloors floor of private bytes per bucket (NaN = unknown)
     * @param handleFloors  floor of handles per bucket (NaN = unknown)
     */
    record Buckets(long[] ids, double[] midSeconds, double[] privateFloors, double[] handleFloors) {
    }
}
