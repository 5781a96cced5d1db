package io.leakwatch.backend.windows;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * SID to owner label, looked up on a thread of its own: LookupAccountSid may ask a domain
 * controller and take seconds, and it must not hold up a scrape. The caller that starts a lookup
 * waits at most {@code waitMillis} for it (long enough for local accounts, which answer at once),
 * and only when no other lookup is ahead of it: behind a hung domain controller, waiting cannot
 * help, and a scrape of many new processes must not wait once per process. A caller that gets
 * null asks again on a later scrape. A failed lookup is retried after {@code failureTtlMillis}
 * (a domain controller that was down at boot must not pin SID strings for the exporter's
 * lifetime); a name is kept for {@code successTtlMillis}. At most {@code maxEntries} SIDs are
 * cached. Thread-safe.
 */
final class AccountNames implements AutoCloseable {
    /** One lookup: the label, or null and the Win32 error. */
    record Result(String label, int error) {
    }

    /** The native lookup, run on the resolver thread. */
    @FunctionalInterface
    interface Lookup {
        Result lookUp(byte[] sid);
    }

    private static final class Entry {
        final byte[] sid;
        volatile String label; // null until a lookup succeeded
        volatile long expiresAt;
        volatile int lastError;
        volatile CompletableFuture<Result> pending;

        Entry(byte[] sid) {
            this.sid = sid;
        }
    }

    private final Lookup lookup;
    private final LongSupplier clockMillis;
    private final long waitMillis;
    private final long successTtlMillis;
    private final long failureTtlMillis;
    private final int maxEntries;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor resolver;
    private final AtomicInteger inFlight = new AtomicInteger();

    AccountNames(Lookup lookup, LongSupplier clockMillis, long waitMillis, long successTtlMillis, long failureTtlMillis,
                 int maxEntries) {
        this.lookup = lookup;
        this.clockMillis = clockMillis;
        this.waitMillis = waitMillis;
        this.successTtlMillis = successTtlMillis;
        this.failureTtlMillis = failureTtlMillis;
        this.maxEntries = maxEntries;
        this.resolver = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(maxEntries), r -> {
            Thread t = new Thread(r, "leakwatch-account-lookup");
            t.setDaemon(true);
            return t;
        });
    }

    /** Defaults: wait 50 ms, keep names a day, retry failures after a minute, 4,096 SIDs. */
    static AccountNames standard(Lookup lookup) {
        return new AccountNames(lookup, () -> System.nanoTime() / 1_000_000, 50, 24 * 3600_000L, 60_000, 4096);
    }

    /**
     * @param sidString the SID as text (the cache key)
     * @param sid       the binary SID, copied by the caller (the lookup runs later, on another thread)
     * @return the owner label, or null while unknown (looking up, or failed and not yet due again)
     */
    String label(String sidString, byte[] sid) {
        long now = clockMillis.getAsLong();
        Entry entry = entries.get(sidString);
        if (entry == null) {
            if (entries.size() >= maxEntries) {
                entries.values().removeIf(e -> e.pending == null && e.expiresAt <= now);
                if (entries.size() >= maxEntries) {
                    entries.clear(); // thousands of distinct accounts: start over rather than grow
                }
            }
            entry = entries.computeIfAbsent(sidString, k -> new Entry(sid.clone()));
        }
        if (entry.pending == null && entry.expiresAt <= now) {
            boolean firstInLine = inFlight.get() == 0; // else queued behind another lookup: waiting cannot help
            CompletableFuture<Result> started = start(entry, sid);
            if (started != null && firstInLine) {
                await(started);
            }
        }
        return entry.label;
    }

    private void await(CompletableFuture<Result> lookup) {
        try {
            lookup.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // still looking up: the caller keeps the SID string for now
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // recorded as a failure by the lookup itself
        }
    }

    /**
     * @return the label if known; never waits, but starts the lookup again when it is due (a failure
     *         has expired), so an owner shown as its SID is named once the account can be resolved
     */
    String known(String sidString) {
        Entry entry = entries.get(sidString);
        if (entry == null) {
            return null;
        }
        if (entry.pending == null && entry.expiresAt <= clockMillis.getAsLong()) {
            start(entry, entry.sid);
        }
        return entry.label;
    }

    /** The Win32 error of the last failed lookup of {@code sidString}, 0 if none. */
    int lastError(String sidString) {
        Entry entry = entries.get(sidString);
        return entry == null ? 0 : entry.lastError;
    }

    int size() {
        return entries.size();
    }

    private CompletableFuture<Result> start(Entry entry, byte[] sid) {
        CompletableFuture<Result> future = new CompletableFuture<>();
        entry.pending = future;
        inFlight.incrementAndGet();
        try {
            resolver.execute(() -> {
                Result result;
                try {
                    result = lookup.lookUp(sid);
                } catch (RuntimeException | LinkageError e) {
                    result = new Result(null, -1);
                }
                long done = clockMillis.getAsLong();
                if (result.label() != null) {
                    entry.label = result.label();
                    entry.lastError = 0;
                    entry.expiresAt = done + successTtlMillis;
                } else {
                    entry.lastError = result.error();
                    entry.expiresAt = done + failureTtlMillis;
                }
                entry.pending = null;
                inFlight.decrementAndGet();
                future.complete(result);
            });
        } catch (RejectedExecutionException e) {
            entry.pending = null; // queue full or closed: try again on a later scrape
            inFlight.decrementAndGet();
            return null;
        }
        return future;
    }

    @Override
    public void close() {
        resolver.shutdownNow();
        entries.clear();
    }
}
