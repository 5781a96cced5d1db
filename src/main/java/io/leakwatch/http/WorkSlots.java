package io.leakwatch.http;

import io.javalin.http.Context;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code --web.max-requests}: how many requests to the endpoints that do work (the metrics and
 * pages such as /leaks) may work at once; beyond, 503 with {@code Retry-After: 1} at once, as
 * node_exporter answers. A slot covers the work only (the collection, the page being built), not
 * the time a client takes to read the answer. Thread-safe.
 */
final class WorkSlots {
    private final Semaphore slots; // null: no limit
    private final int max;

    /** @param max 0 for no limit */
    WorkSlots(int max) {
        this.max = max;
        this.slots = max > 0 ? new Semaphore(max) : null;
    }

    /** A slot, or null when all are taken. */
    Slot take() {
        if (slots == null) {
            return Slot.NONE;
        }
        return slots.tryAcquire() ? new Slot(slots) : null;
    }

    void refuse(Context ctx) {
        ctx.status(503).header("Retry-After", "1").contentType("text/plain; charset=utf-8")
                .result("Limit of concurrent requests reached (" + max + "), try again later (--web.max-requests)\n");
    }

    /** Given back once, however many times {@link #release} is called. */
    static final class Slot {
        static final Slot NONE = new Slot(null);
        private final Semaphore owner;
        private final AtomicBoolean held = new AtomicBoolean(true);

        private Slot(Semaphore owner) {
            this.owner = owner;
        }

        void release() {
            if (owner != null && held.compareAndSet(true, false)) {
                owner.release();
            }
        }
    }
}
