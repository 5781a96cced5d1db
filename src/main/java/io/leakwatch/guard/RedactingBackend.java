package io.leakwatch.guard;

import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Applies {@link CmdlineRedactor} to the name and the cmdline label of every process, off the
 * collector's critical path:
 * <ul>
 * <li>the regex runs once per process lifetime (pid + start time + name + command line), on a
 * thread of its own; later collections reuse the result;</li>
 * <li>a collection waits for the redaction of the processes new to it at most
 * {@code waitMillis}; a process whose redaction is not done by then is left out of that
 * collection (never shown unredacted) and counted as pending, and appears as soon as it is done.
 * So a scrape never waits on the redaction of a hostile command line longer than that.</li>
 * </ul>
 * Used from the collector thread only (as every backend); the redaction thread only writes the
 * results of the lifetimes handed to it.
 */
public final class RedactingBackend extends GuardingBackend {
    /** How long one collection waits for the redaction of new processes. */
    public static final long DEFAULT_WAIT_MILLIS = 100;

    private final CmdlineRedactor redactor;
    private final long waitNanos;
    private final ExecutorService worker;
    private final Map<Long, Lifetime> lifetimes = new HashMap<>();
    private long redactions; // lifetimes handed to the redaction thread, for tests and diagnostics

    private static final class Lifetime {
        final double startTime;
        final String rawName;
        final String rawCmdline;
        volatile String name;    // null until redacted
        volatile String cmdline; // written before name: name != null means both are there
        ProcessInfo source;
        ProcessInfo redactedInfo;
        boolean seen;

        Lifetime(double startTime, String rawName, String rawCmdline) {
            this.startTime = startTime;
            this.rawName = rawName;
            this.rawCmdline = rawCmdline;
        }

        boolean same(ProcessInfo info) {
            return startTime == info.startTimeSeconds() && rawName.equals(info.name()) && rawCmdline.equals(info.cmdline());
        }

        void redact(CmdlineRedactor redactor) {
            cmdline = rawCmdline.isEmpty() ? rawCmdline : redactor.redact(rawCmdline);
            name = redactor.redact(rawName);
        }
    }

    public RedactingBackend(ProcessBackend delegate, CmdlineRedactor redactor) {
        this(delegate, redactor, DEFAULT_WAIT_MILLIS);
    }

    public RedactingBackend(ProcessBackend delegate, CmdlineRedactor redactor, long waitMillis) {
        super(delegate);
        this.redactor = redactor;
        this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "leakwatch-redactor");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    ProcessSnapshot guard(ProcessSnapshot snapshot) {
        long deadline = System.nanoTime() + waitNanos;
        List<Lifetime> fresh = new ArrayList<>();
        List<Lifetime> perSample = new ArrayList<>(snapshot.processes().size());
        for (ProcessSample sample : snapshot.processes()) {
            ProcessInfo info = sample.info();
            Lifetime l = lifetimes.get(info.pid());
            if (l == null || !l.same(info)) {
                l = new Lifetime(info.startTimeSeconds(), info.name(), info.cmdline());
                lifetimes.put(info.pid(), l);
                fresh.add(l);
            }
            l.seen = true;
            perSample.add(l);
        }
        lifetimes.values().removeIf(l -> !l.seen);
        lifetimes.values().forEach(l -> l.seen = false);
        if (!fresh.isEmpty()) {
            redactions += fresh.size();
            Future<?> batch = worker.submit(() -> fresh.forEach(l -> l.redact(redactor)));
            try {
                batch.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // the rest of the batch finishes in the background; those processes wait for a later collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException("redaction failed", e.getCause());
            }
        }
        List<ProcessSample> out = new ArrayList<>(perSample.size());
        int pending = 0;
        for (int i = 0; i < perSample.size(); i++) {
            ProcessSample sample = snapshot.processes().get(i);
            Lifetime l = perSample.get(i);
            String name = l.name;
            if (name == null) {
                pending++;
                continue;
            }
            out.add(redacted(sample, l, name));
        }
        return new ProcessSnapshot(out, snapshot.skippedVanished(), snapshot.skippedMalformed(), snapshot.droppedOverLimit(),
                snapshot.pendingRedaction() + pending, snapshot.cutNames());
    }

    private static ProcessSample redacted(ProcessSample sample, Lifetime l, String name) {
        ProcessInfo info = sample.info();
        String cmdline = l.cmdline;
        if (name.equals(info.name()) && cmdline.equals(info.cmdline())) {
            return sample;
        }
        if (l.source != info) {
            l.source = info;
            l.redactedInfo = new ProcessInfo(name, info.pid(), info.pidLabel(), info.parentPid(),
                    info.processGroupId(), info.owner(), cmdline, info.startTimeSeconds());
        }
        return sample.withInfo(l.redactedInfo);
    }

    /** How many process lifetimes were handed to redaction since start (once per lifetime). */
    public long redactions() {
        return redactions;
    }

    @Override
    void forget() {
        worker.shutdownNow();
        lifetimes.clear();
    }
}
