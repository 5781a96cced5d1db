package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;

import java.util.Arrays;

/**
 * One life of one process as per-bucket floors (the lowest value seen in each bucket) of private
 * bytes and handles. A fixed ring of {@link LeakSettings#BUCKETS} + 1 buckets holds the window's
 * complete buckets plus the one still filling, and a second ring of coarser buckets (an eighth of
 * the window each) holds the floors of the last {@link #DAYS_KEPT} windows for the rule that
 * compares day with day. So the memory per process never grows: see {@link #approximateBytes()}.
 * Only complete buckets are judged: a bucket still filling has not seen its lowest value yet.
 * Not thread-safe: the detector guards it.
 */
final class FloorHistory {
    /** Coarse buckets per window. */
    static final int COARSE_PER_WINDOW = 8;
    /** Windows of coarse floors kept: what the day-against-day rule needs. */
    static final int DAYS_KEPT = 3;
    private final double bucketSeconds;
    private final long[] bucketIds;       // absolute bucket number (time / bucketSeconds); -1 = empty
    private final double[] privateFloors; // NaN = no value in this bucket
    private final double[] handleFloors;
    private final Ring coarse;
    private long newestId = -1;
    private double firstSampleSeconds = Double.NaN;
    private double lastSampleSeconds = Double.NaN;
    private double lastPrivateBytes = Double.NaN;
    private double lastHandles = Double.NaN;
    private long version; // bumped when a bucket other than the filling one changes, or a new one starts

    FloorHistory(double bucketSeconds) {
        this.bucketSeconds = bucketSeconds;
        this.coarse = new Ring(bucketSeconds * LeakSettings.BUCKETS / COARSE_PER_WINDOW, DAYS_KEPT * COARSE_PER_WINDOW + 2);
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
        coarse.add(timeSeconds, privateBytes, handles);
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

    /** Puts back one saved coarse bucket (state file). */
    void restoreCoarse(long id, double privateFloor, double handleFloor) {
        coarse.restore(id, privateFloor, handleFloor);
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

    /** The complete coarse buckets kept (the last {@link #DAYS_KEPT} windows), oldest first. */
    Buckets coarseComplete(double nowSeconds) {
        return coarse.complete(nowSeconds);
    }

    /** Every filled coarse bucket, including the one filling (for the state file). */
    Buckets coarseAll() {
        return coarse.all();
    }

    double coarseSeconds() {
        return coarse.seconds;
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

    /** Bytes this history holds on a 64-bit JVM with compressed oops: the arrays of both rings plus the objects. */
    long approximateBytes() {
        long arrays = 3L * (16 + 8L * bucketIds.length);
        long object = 12 + 8 * 8 + 4 * 4; // header, 8 long/double fields, 4 references
        return arrays + object + coarse.approximateBytes();
    }

    /** A ring of floors per bucket of a fixed length (the coarse floors). */
    private static final class Ring {
        final double seconds;
        final long[] ids;
        final double[] privateFloors;
        final double[] handleFloors;
        long newest = -1;

        Ring(double seconds, int slots) {
            this.seconds = seconds;
            this.ids = new long[slots];
            this.privateFloors = new double[slots];
            this.handleFloors = new double[slots];
            Arrays.fill(ids, -1);
            Arrays.fill(privateFloors, Double.NaN);
            Arrays.fill(handleFloors, Double.NaN);
        }

        void add(double t, double priv, double handles) {
            long id = (long) Math.floor(t / seconds);
            int slot = (int) Math.floorMod(id, (long) ids.length);
            if (ids[slot] != id) {
                if (ids[slot] > id) {
                    return;
                }
                ids[slot] = id;
                privateFloors[slot] = Double.NaN;
                handleFloors[slot] = Double.NaN;
            }
            lower(privateFloors, slot, priv);
            lower(handleFloors, slot, handles);
            newest = Math.max(newest, id);
        }

        void restore(long id, double priv, double handles) {
            int slot = (int) Math.floorMod(id, (long) ids.length);
            if (ids[slot] > id) {
                return;
            }
            ids[slot] = id;
            privateFloors[slot] = priv;
            handleFloors[slot] = handles;
            newest = Math.max(newest, id);
        }

        Buckets complete(double now) {
            long last = Math.min((long) Math.floor(now / seconds) - 1, newest);
            return range(last - ids.length + 2, last);
        }

        Buckets all() {
            return range(newest - ids.length + 1, newest);
        }

        private Buckets range(long from, long to) {
            int n = 0;
            long[] out = new long[ids.length];
            for (long id = Math.max(0, from); id <= to; id++) {
                if (ids[(int) Math.floorMod(id, (long) ids.length)] == id) {
                    out[n++] = id;
                }
            }
            out = Arrays.copyOf(out, n);
            double[] p = new double[n];
            double[] h = new double[n];
            for (int i = 0; i < n; i++) {
                int slot = (int) Math.floorMod(out[i], (long) ids.length);
                p[i] = privateFloors[slot];
                h[i] = handleFloors[slot];
            }
            return new Buckets(seconds, out, p, h);
        }

        long approximateBytes() {
            return 3L * (16 + 8L * ids.length) + 12 + 8 + 8 + 3 * 4;
        }
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
