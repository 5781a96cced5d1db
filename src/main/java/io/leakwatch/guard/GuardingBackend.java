package io.leakwatch.guard;

import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessSnapshot;

/**
 * A backend that reworks another backend's snapshot (dedupe, cap, redact): the delegation is
 * here once, each guard only says what it does to a snapshot.
 */
abstract class GuardingBackend implements ProcessBackend {
    private final ProcessBackend delegate;

    GuardingBackend(ProcessBackend delegate) {
        this.delegate = delegate;
    }

    /** The backend this guard wraps. */
    ProcessBackend delegate() {
        return delegate;
    }

    /** The guard's work on one collection's snapshot. */
    abstract ProcessSnapshot guard(ProcessSnapshot snapshot);

    /** Drops the guard's own per-process state when the backend closes. */
    void forget() {
    }

    @Override
    public final String name() {
        return delegate.name();
    }

    @Override
    public final ProcessSnapshot collect() throws BackendException {
        return guard(delegate.collect());
    }

    @Override
    public final void close() {
        forget();
        delegate.close();
    }
}
