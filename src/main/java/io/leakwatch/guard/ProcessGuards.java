package io.leakwatch.guard;

import io.leakwatch.guard.GuardSettings;
import io.leakwatch.model.ProcessBackend;

/**
 * Wraps any OS backend with the protections that do not depend on the OS: one sample per pid,
 * the cardinality guard (--collector.process.max-processes), redaction of names and command lines
 * (--collector.process.cmdline-redact) and the caps on the name's and the command line's length
 * (--collector.process.cmdline-max-length), in that order so only kept processes are redacted, and
 * only redacted names and command lines are cut.
 */
public final class ProcessGuards {
    private ProcessGuards() {
    }

    /**
     * @param settings       validated guard settings
     * @param cmdlineEnabled whether the backend fills the cmdline label at all (names are redacted either way:
     *                       on Linux a name can be argv[0]'s basename, which can hold what the command line holds)
     */
    public static ProcessBackend wrap(ProcessBackend backend, GuardSettings settings, boolean cmdlineEnabled) {
        CmdlineRedactor redactor = CmdlineRedactor.of(settings.cmdlineRedactRegex());
        ProcessBackend distinct = new DistinctPidsBackend(backend);
        ProcessBackend guarded = settings.maxProcesses() > 0 ? new ProcessLimitBackend(distinct, settings.maxProcesses()) : distinct;
        ProcessBackend redacted = redactor.enabled() ? new RedactingBackend(guarded, redactor) : guarded;
        return new LabelCapBackend(redacted, settings.cmdlineMaxBytes());
    }
}
