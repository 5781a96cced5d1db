package io.leakwatch.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits for a state that nothing signals (another thread's cache, a server's connection count):
 * looks at once, then after 1, 2, 4 ... up to 20 ms, and returns as soon as it holds: a short wait
 * costs next to nothing, and a long one (a loaded machine) does not spend a core on looking. Where
 * something does signal (a latch, a future, a log line, a process exit), wait for that instead.
 */
public final class Await {
    /** Long enough for a machine under heavy load; a test that needs it is failing anyway. */
    private static final long LIMIT_SECONDS = 20;

    private Await() {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} after 20 s. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        for (long pause = 1; !condition.getAsBoolean(); pause = Math.min(20, pause * 2)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + LIMIT_SECONDS + " s: " + what);
            }
            Thread.sleep(pause);
        }
    }
}
