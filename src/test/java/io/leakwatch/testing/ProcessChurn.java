package io.leakwatch.testing;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts and ends short-lived processes until stopped: some exit at once (often between two
 * reads of one scrape), some rename themselves through /proc/self/comm, some live a few hundred
 * milliseconds. Each carries {@link #MARKER} in its command line, and the moment Java reaped it
 * (after which /proc/PID is gone) is recorded, so a test can tell a stale series from a live one.
 */
public final class ProcessChurn implements AutoCloseable {
    public static final String MARKER = "leakwatch-churn";

    private final Map<Long, Long> reapedAtNanos = new ConcurrentHashMap<>(); // pid -> when its latest process was reaped
    private final Map<Long, Long> startedAtNanos = new ConcurrentHashMap<>(); // pid -> when its latest process started
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger renamed = new AtomicInteger();
    private final Semaphore alive;
    private final int limit;
    private final Thread[] spawners;
    private final long pauseMillis;
    private volatile boolean stop;

    /**
     * @param maxAlive most churn processes alive at once
     * @param limit    most processes started in total (the loop is bounded)
     * @param pauseMillis pause of each spawning thread between two starts (keeps the CPU for the exporter)
     */
    public ProcessChurn(int maxAlive, int limit, int threads, long pauseMillis) {
        this.pauseMillis = pauseMillis;
        this.alive = new Semaphore(maxAlive);
        this.limit = limit;
        this.spawners = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            spawners[i] = new Thread(this::spawnLoop, "churn-" + i);
            spawners[i].setDaemon(true);
            spawners[i].start();
        }
    }

    private void spawnLoop() {
        while (!stop && started.get() < limit) {
            try {
                alive.acquire();
            } catch (InterruptedException e) {
                return;
            }
            int n = started.incrementAndGet();
            String script = switch (n % 4) {
                case 0 -> "exit 0";                                                     // gone almost at once
                // "; true" keeps bash (with the marker) alive: a last command would be exec'ed in its place
                case 1 -> "printf churn-renamed%d $$ > /proc/self/comm; sleep 0.2; true"; // renames itself, then lives
                case 2 -> "sleep 0.0$((RANDOM % 9)); true";                               // a few milliseconds to 80
                default -> "printf x$$ > /proc/self/comm; exit 0";                     // renames and exits
            };
            try {
                Process p = new ProcessBuilder(List.of("bash", "-c", script, MARKER)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (n % 4 == 1 || n % 4 == 3) {
                    renamed.incrementAndGet();
                }
                long pid = p.pid();
                startedAtNanos.put(pid, System.nanoTime());
                reapedAtNanos.remove(pid);
                p.onExit().thenRun(() -> {
                    reapedAtNanos.put(pid, System.nanoTime());
                    alive.release();
                });
            } catch (IOException e) {
                alive.release();
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** True when the latest churn process with this pid had been reaped before {@code nanos}. */
    public boolean reapedBefore(long pid, long nanos) {
        Long reaped = reapedAtNanos.get(pid);
        Long start = startedAtNanos.get(pid);
        return reaped != null && reaped < nanos && (start == null || start < reaped);
    }

    public int started() {
        return started.get();
    }

    public int renamed() {
        return renamed.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : spawners) {
            t.join(10_000);
        }
    }
}
