package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;

import java.util.Arrays;

/**
 * One life of one process as per-bucket floors (the lowest value seen in each bucket) of private
 * bytes and handles. A fixed ring of {@link LeakSettings#BUCKETS} + 1 buckets holds the window's
 * complete buckets plus the one still filling, so the memory per process never grows: see
 * {@link #approximateBytes()}. Only complete buckets are judged: a bucket still filling has not
 * seen its lowest value yet. Not thread-safe: the detector guards it.
 */
final class FloorHistory {
    private final double bucketSeconds;
    private final long[] bucketIds;       // absolute bucket number (time / bucketSeconds); -1 = empty
    private final double[] privateFloors; // NaN = no value in this bucket
    private final double[] handleFloors;
    private long newestId = -1;
    private double firstSampleSeconds = Double.NaN;
    private double lastSampleSeconds = Double.NaN;
    private double lastPrivateBytes = Double.NaN;
    private double lastHandles = Double.NaN;
    private long version; // bumped when a bucket other than the filling one changes, or a new one starts

    FloorHistory(double bucketSeconds) {
        this.bucketSeconds = bucketSeconds;
        int slots = LeakSettings.BUCKETS + 1;
        this.bucketIds = new long[slots];
        this.privateFloors = new double[slots];
        this.handleFloors = new double[slots];
        Arrays.fill(bucketIds, -1);
        Arrays.fill(privateFloors, Double.NaN);
        Arrays.fill(handleFloors, Double.NaN);
    }

    long bucketOf(double timeSeconds) {
        return (long) Math.floor(timeSeconds / bucketSeconds);
    }

    /** Adds one sample; NaN values (not readable) are ignored. Samples older than the ring are dropped. */
    void add(double timeSeconds, double privateBytes, double handles) {
        long id = bucketOf(timeSeconds);
        int slot = slot(id);
        if (bucketIds[slot] != id) {
            if (bucketIds[slot] > id) {
                return; // clock went backwards past a whole ring: keep the newer history
            }
            bucketIds[slot] = id;
            privateFloors[slot] = Double.NaN;
            handleFloors[slot] = Double.NaN;
            version++;
        }
        boolean lowered = lower(privateFloors, slot, privateBytes) | lower(handleFloors, slot, handles);
        if (lowered && id < newestId) {
            version++; // a late sample changed a bucket that may already be judged
        }
        newestId = Math.max(newestId, id);
        if (Double.isNaN(firstSampleSeconds)) {
            firstSampleSeconds = timeSeconds;
        }
        lastSampleSeconds = Math.max(timeSeconds, Double.isNaN(lastSampleSeconds) ? timeSeconds : lastSampleSeconds);
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
        newestId = Math.max(newestId, id);
        version++;
    }

    void restoreSpan(double first, double last, double lastPrivate, double lastHandleCount) {
        firstSampleSeconds = first;
        lastSampleSeconds = last;
        lastPrivateBytes = lastPrivate;
        lastHandles = lastHandleCount;
        version++;
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

    /**
     * The newest bucket that is complete at {@code nowSeconds}: the one before the bucket {@code now}
     * falls in, and never the bucket of the newest sample while that bucket is still current.
     */
    long lastCompleteId(double nowSeconds) {
        return Math.min(bucketOf(nowSeconds) - 1, newestId);
    }

    /** Every filled bucket of the ring, oldest first, including one still filling (for the state file). */
    Buckets all() {
        return range(newestId - bucketIds.length + 1, newestId);
    }

    /** The complete buckets of the window ending before {@code nowSeconds}'s bucket, oldest first. */
    Buckets complete(double nowSeconds) {
        long last = lastCompleteId(nowSeconds);
        return range(last - LeakSettings.BUCKETS + 1, last);
    }

    private Buckets range(long fromId, long toId) {
        int n = 0;
        long[] ids = new long[bucketIds.length];
        for (long id = Math.max(0, fromId); id <= toId; id++) {
            if (bucketIds[slot(id)] == id) {
                ids[n++] = id;
            }
        }
        ids = Arrays.copyOf(ids, n);
        double[] priv = new double[n];
        double[] hand = new double[n];
        for (int i = 0; i < n; i++) {
            int s = slot(ids[i]);
            priv[i] = privateFloors[s];
            hand[i] = handleFloors[s];
        }
        return new Buckets(bucketSeconds, ids, priv, hand);
    }

    /**
     * What a verdict depends on: changes when a complete bucket changes or another bucket completes,
     * so an unchanged key means the verdict would come out the same.
     */
    long judgedKey(double nowSeconds) {
        return version * 1_000_003L + lastCompleteId(nowSeconds);
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

    /** Bytes this history holds on a 64-bit JVM with compressed oops: three arrays plus the object. */
    long approximateBytes() {
        long arrays = 3L * (16 + 8L * bucketIds.length);
        long object = 12 + 8 * 8 + 3 * 4 + 4; // header, 8 long/double fields, 3 references, padding
        return arrays + object;
    }

    /**
     * Filled buckets, oldest first.
     *
     * @param bucketSeconds bucket length
     * @param ids           absolute bucket numbers (start = id * bucketSeconds)
     * @param privateFloors floor of private bytes per bucket (NaN = unknown)
     * @param handleFloors  floor of handles per bucket (NaN = unknown)
     */
    record Buckets(double bucketSeconds, long[] ids, double[] privateFloors, double[] handleFloors) {
        static final Buckets EMPTY = new Buckets(1, new long[0], new double[0], new double[0]);

        double midSeconds(int i) {
            return (ids[i] + 0.5) * bucketSeconds;
        }

        int size() {
            return ids.length;
        }

        /** The buckets from {@code fromId} on. */
        Buckets since(long fromId) {
            int start = 0;
            while (start < ids.length && ids[start] < fromId) {
                start++;
            }
            if (start == 0) {
                return this;
            }
            return new Buckets(bucketSeconds, Arrays.copyOfRange(ids, start, ids.length),
                    Arrays.copyOfRange(privateFloors, start, ids.length), Arrays.copyOfRange(handleFloors, start, ids.length));
        }

        /** The buckets before {@code toId} (exclusive). */
        Buckets before(long toId) {
            int end = ids.length;
            while (end > 0 && ids[end - 1] >= toId) {
                end--;
            }
            if (end == ids.length) {
                return this;
            }
            return new Buckets(bucketSeconds, Arrays.copyOf(ids, end), Arrays.copyOf(privateFloors, end),
                    Arrays.copyOf(handleFloors, end));
        }
    }
}
