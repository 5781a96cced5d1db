package io.leakwatch.guard;

import io.leakwatch.model.LifetimeCache;
import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Applies {@link CmdlineRedactor} to the name and the cmdline label of every process, off the
 * collector's critical path:
 * <ul>
 * <li>the regex runs once per process lifetime (pid + start time + name + command line); later
 * collections reuse the result;</li>
 * <li>a collection redacts the processes new to it for at most {@code waitMillis} (plus the one
 * in progress, which the linear-time regex and the 64 KiB input cap bound) and hands the rest to
 * a thread of its own. A process whose redaction is not done is left out of that collection
 * (never shown unredacted) and counted as pending, and appears as soon as it is done. So a scrape
 * never waits on the redaction of hostile command lines much longer than that.</li>
 * </ul>
 * Used from the collector thread only (as every backend); the redaction thread only writes the
 * results of the lifetimes handed to it.
 */
public final class RedactingBackend extends GuardingBackend {
    /** How long one collection spends on the redaction of new processes. */
    public static final long DEFAULT_WAIT_MILLIS = 250;

    private final CmdlineRedactor redactor;
    private final long waitNanos;
    private final ExecutorService worker;
    private final LifetimeCache<Long, Lifetime> lifetimes = new LifetimeCache<>();
    private long redactions; // lifetimes handed to the redaction thread, for tests and diagnostics

    private static final class Lifetime {
        final String rawName;
        final String rawCmdline;
        volatile String name;    // null until redacted
        volatile String cmdline; // written before name: name != null means both are there
        ProcessInfo source;
        ProcessInfo redactedInfo;

        Lifetime(String rawName, String rawCmdline) {
            this.rawName = rawName;
            this.rawCmdline = rawCmdline;
        }

        boolean same(ProcessInfo info) {
            return rawName.equals(info.name()) && rawCmdline.equals(info.cmdline());
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
        this(delegate, redactor, waitMillis, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "leakwatch-redactor");
            t.setDaemon(true);
            return t;
        }));
    }

    /** @param worker the redaction thread: one thread, owned (shut down) by this backend; tests pass one they run by hand */
    public RedactingBackend(ProcessBackend delegate, CmdlineRedactor redactor, long waitMillis, ExecutorService worker) {
        super(delegate);
        this.redactor = redactor;
        this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
        this.worker = worker;
    }

    @Override
    ProcessSnapshot guard(ProcessSnapshot snapshot) {
        long deadline = System.nanoTime() + waitNanos;
        List<Lifetime> fresh = new ArrayList<>();
        List<Lifetime> perSample = new ArrayList<>(snapshot.processes().size());
        for (ProcessSample sample : snapshot.processes()) {
            ProcessInfo info = sample.info();
            long start = Double.doubleToLongBits(info.startTimeSeconds());
            Lifetime l = lifetimes.get(info.pid(), start);
            if (l == null || !l.same(info)) {
                l = new Lifetime(info.name(), info.cmdline());
                lifetimes.put(info.pid(), start, l);
                fresh.add(l);
            }
            perSample.add(l);
        }
        lifetimes.sweep();
        if (!fresh.isEmpty()) {
            redactions += fresh.size();
            // inline while the budget lasts (no hand-over cost for the usual few new processes a scrape),
            // the rest on the redaction thread
            int i = 0;
            while (i < fresh.size() && System.nanoTime() < deadline) {
                fresh.get(i++).redact(redactor);
            }
            if (i < fresh.size()) {
                List<Lifetime> backlog = List.copyOf(fresh.subList(i, fresh.size()));
                worker.execute(() -> backlog.forEach(l -> l.redact(redactor)));
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
        return snapshot.withProcessesAndPendingRedaction(out, pending);
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
