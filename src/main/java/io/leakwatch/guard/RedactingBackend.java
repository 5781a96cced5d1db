package io.leakwatch.guard;

import io.leakwatch.model.LifetimeCache;
import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies {@link CmdlineRedactor} to the cmdline label of every backend. The regex runs once per
 * process lifetime (pid + start time + command line); later scrapes reuse the result, and a
 * process whose command line holds no secret passes through untouched.
 */
public final class RedactingBackend extends GuardingBackend {
    private final CmdlineRedactor redactor;
    private final LifetimeCache<Long, Lifetime> lifetimes = new LifetimeCache<>();
    private long redactions; // regex runs, for tests and diagnostics

    private static final class Lifetime {
        final String raw;
        final String redacted;
        ProcessInfo source;
        ProcessInfo redactedInfo;

        Lifetime(String raw, String redacted) {
            this.raw = raw;
            this.redacted = redacted;
        }
    }

    public RedactingBackend(ProcessBackend delegate, CmdlineRedactor redactor) {
        super(delegate);
        this.redactor = redactor;
    }

    @Override
    ProcessSnapshot guard(ProcessSnapshot snapshot) {
        List<ProcessSample> out = new ArrayList<>(snapshot.processes().size());
        for (ProcessSample sample : snapshot.processes()) {
            out.add(redact(sample));
        }
        lifetimes.sweep();
        return snapshot.withProcesses(out);
    }

    private ProcessSample redact(ProcessSample sample) {
        ProcessInfo info = sample.info();
        if (info.cmdline().isEmpty()) {
            return sample;
        }
        long start = Double.doubleToLongBits(info.startTimeSeconds());
        Lifetime l = lifetimes.get(info.pid(), start);
        if (l == null || !l.raw.equals(info.cmdline())) {
            redactions++;
            l = new Lifetime(info.cmdline(), redactor.redact(info.cmdline()));
            lifetimes.put(info.pid(), start, l);
        }
        if (l.redacted.equals(l.raw)) {
            return sample;
        }
        if (l.source != info) {
            l.source = info;
            l.redactedInfo = new ProcessInfo(info.name(), info.pid(), info.pidLabel(), info.parentPid(),
                    info.processGroupId(), info.owner(), l.redacted, info.startTimeSeconds());
        }
        return sample.withInfo(l.redactedInfo);
    }

    /** How many times the regex ran since start (once per process lifetime with a command line). */
    public long redactions() {
        return redactions;
    }

    @Override
    void forget() {
        lifetimes.clear();
    }
}
