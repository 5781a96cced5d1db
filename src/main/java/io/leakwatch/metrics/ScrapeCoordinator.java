package io.leakwatch.metrics;

import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs collections on one dedicated thread and lets scrapes that arrive together share the one
 * in flight (single-flight), so two Prometheus servers never double the /proc walk and nobody
 * gets a 503. Each scrape waits only until its own deadline.
 */
public final class ScrapeCoordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScrapeCoordinator.class);

    private final ProcessBackend backend;
    private final ExecutorService worker;
    private final List<Consumer<CollectionResult>> listeners = new CopyOnWriteArrayList<>();
    private CompletableFuture<CollectionResult> inFlight; // guarded by this
    private volatile CollectionResult latest;
    private boolean failing; // for logging a failure once, not every scrape

    public ScrapeCoordinator(ProcessBackend backend) {
        this(backend, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "leakwatch-collector");
            t.setDaemon(true);
            return t;
        }));
    }

    /** @param worker the collector thread: one thread, shut down by {@link #close} (tests watch it wait) */
    ScrapeCoordinator(ProcessBackend backend, ExecutorService worker) {
        this.backend = backend;
        this.worker = worker;
    }

    public ProcessBackend backend() {
        return backend;
    }

    /** Called on the collector thread after every finished collection (for example leak detection). */
    public void addListener(Consumer<CollectionResult> listener) {
        listeners.add(listener);
    }

    /** The most recent finished collection, or null before the first. */
    public CollectionResult latest() {
        return latest;
    }

    /**
     * Joins the collection in flight or starts one, and waits for it up to {@code deadlineSeconds}.
     * A deadline of zero or less has already passed: the scrape reports a timeout at once, as
     * windows_exporter's does, and the collection it started still finishes for the next scrape
     * and for the listeners.
     */
    public CollectionResult collect(double deadlineSeconds) {
        long startNanos = System.nanoTime();
        CompletableFuture<CollectionResult> future;
        synchronized (this) {
            if (inFlight == null) {
                CompletableFuture<CollectionResult> started = CompletableFuture.supplyAsync(this::runCollection, worker);
                inFlight = started;
                // a collection that already finished runs this at once, on this thread, and clears inFlight
                started.whenComplete((r, e) -> clearInFlight(started));
                future = started;
            } else {
                future = inFlight;
            }
        }
        if (!(deadlineSeconds > 0)) {
            return new CollectionResult(null, 0, true, System.currentTimeMillis());
        }
        try {
            return future.get(Math.max(1L, (long) (deadlineSeconds * 1e9)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return new CollectionResult(null, (System.nanoTime() - startNanos) / 1e9, true, System.currentTimeMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CollectionResult(null, (System.nanoTime() - startNanos) / 1e9, false, System.currentTimeMillis());
        } catch (ExecutionException | CancellationException e) {
            return new CollectionResult(null, (System.nanoTime() - startNanos) / 1e9, false, System.currentTimeMillis());
        }
    }

    private synchronized void clearInFlight(CompletableFuture<CollectionResult> done) {
        if (inFlight == done) {
            inFlight = null;
        }
    }

    private CollectionResult runCollection() {
        long start = System.nanoTime();
        ProcessSnapshot snapshot = null;
        try {
            snapshot = backend.collect();
            if (failing) {
                LOG.info("process collection works again");
                failing = false;
            }
        } catch (ProcessBackend.BackendException | RuntimeException e) {
            if (!failing) {
                // A RuntimeException here is our bug; keep its trace in the log once.
                if (e instanceof RuntimeException) {
                    LOG.error("process collection failed", e);
                } else {
                    LOG.error("process collection failed: {}", e.getMessage());
                }
                failing = true;
            }
        }
        CollectionResult result = new CollectionResult(snapshot, (System.nanoTime() - start) / 1e9, false, System.currentTimeMillis());
        latest = result;
        for (Consumer<CollectionResult> listener : listeners) {
            try {
                listener.accept(result);
            } catch (RuntimeException e) {
                LOG.error("collection listener failed", e);
            }
        }
        return result;
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        backend.close();
    }
}
