package io.leakwatch.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} on a clock of its own, for tests of code that waits or samples:
 * nothing runs until the test calls {@link #advance}, and then every task that falls due runs on the
 * test's thread, in time order, with {@link #clock()} reading its due time (repeating tasks come back).
 * No sleeps, no threads, the same result on a loaded machine. The code under test may schedule and
 * cancel from threads of its own; tasks run only on the thread that calls {@link #advance}, outside
 * the scheduler's lock.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private volatile long nowNanos; // written under the lock (this)
    private long sequence;
    private boolean shutdown;

    public ManualScheduler(Instant start) {
        this.nowNanos = TimeUnit.SECONDS.toNanos(start.getEpochSecond()) + start.getNano();
    }

    /** The scheduler's time. */
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochSecond(0, nowNanos);
            }
        };
    }

    /** Runs what is due now (tasks scheduled with no delay). */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Moves the clock forward, running every task that falls due on the way. */
    public void advance(Duration d) {
        long target = nowNanos + d.toNanos();
        while (true) {
            Task<?> task;
            synchronized (this) {
                if (queue.isEmpty() || queue.peek().dueNanos > target) {
                    break;
                }
                task = queue.poll();
                nowNanos = Math.max(nowNanos, task.dueNanos);
            }
            task.run();
        }
        synchronized (this) {
            nowNanos = target;
        }
    }

    /** Tasks waiting to run. */
    public synchronized int pending() {
        return queue.size();
    }

    private synchronized <V> Task<V> add(Callable<V> work, long delay, long period, TimeUnit unit) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        Task<V> t = new Task<>(work, nowNanos + unit.toNanos(Math.max(0, delay)), unit.toNanos(period), sequence++);
        queue.add(t);
        return t;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return add(() -> {
            command.run();
            return null;
        }, delay, 0, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return add(callable, delay, 0, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return add(() -> {
            command.run();
            return null;
        }, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return add(() -> {
            command.run();
            return null;
        }, initialDelay, -delay, unit); // the same as a fixed rate here: a task takes no time on this clock
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
        queue.clear();
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        List<Runnable> left = new ArrayList<>(queue);
        shutdown();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }

    private final class Task<V> implements ScheduledFuture<V>, Runnable {
        private final Callable<V> work;
        private final long periodNanos; // 0: once
        private final long seq;
        private long dueNanos;
        private volatile boolean cancelled;
        private boolean done;
        private V result;
        private Throwable failure;

        Task(Callable<V> work, long dueNanos, long periodNanos, long seq) {
            this.work = work;
            this.dueNanos = dueNanos;
            this.periodNanos = periodNanos;
            this.seq = seq;
        }

        @Override
        public void run() {
            try {
                result = work.call();
            } catch (Throwable e) {
                failure = e; // as a real scheduler does: a repeating task that throws stops repeating
                done = true;
                return;
            }
            if (periodNanos == 0) {
                done = true;
                return;
            }
            synchronized (ManualScheduler.this) {
                if (!cancelled && !shutdown) {
                    dueNanos = nowNanos + Math.abs(periodNanos);
                    queue.add(this);
                }
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - nowNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            Task<?> other = (Task<?>) o;
            int c = Long.compare(dueNanos, other.dueNanos);
            return c != 0 ? c : Long.compare(seq, other.seq);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            synchronized (ManualScheduler.this) {
                cancelled = true;
                return queue.remove(this);
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public V get() throws ExecutionException {
            if (!done) {
                throw new IllegalStateException("not run yet: advance the scheduler first");
            }
            if (failure != null) {
                throw new ExecutionException(failure);
            }
            return result;
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws ExecutionException {
            return get();
        }
    }
}
