package io.leakwatch.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits for a state that nothing signals (another thread's cache, a server's connection count):
 * looks every few milliseconds and returns as soon as it holds, so it costs no more than the wait
 * itself, however fast or loaded the machine. Where something does signal (a latch, a future, a log
 * line, a process exit), wait for that instead.
 */
public final class Await {
    /** Long enough for a machine under heavy load; a test that needs it is failing anyway. */
    private static final long LIMIT_SECONDS = 20;

    private Await() {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} after 20 s. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + LIMIT_SECONDS + " s: " + what);
            }
            Thread.sleep(2);
        }
    }
}
