package io.leakwatch.guard;

import io.leakwatch.config.GuardSettings;
import io.leakwatch.model.ProcessBackend;

/**
 * Wraps any OS backend with the protections that do not depend on the OS: one sample per pid,
 * the cardinality guard (--collector.process.max-processes) and command-line redaction
 * (--collector.process.cmdline-redact), in that order so only kept processes are redacted.
 */
public final class ProcessGuards {
    private ProcessGuards() {
    }

    /**
     * @param settings       validated guard settings
     * @param cmdlineEnabled whether the backend fills the cmdline label at all (nothing to redact otherwise)
     */
    public static ProcessBackend wrap(ProcessBackend backend, GuardSettings settings, boolean cmdlineEnabled) {
        CmdlineRedactor redactor = CmdlineRedactor.of(settings.cmdlineRedactRegex());
        ProcessBackend distinct = new DistinctPidsBackend(backend);
        ProcessBackend guarded = settings.maxProcesses() > 0 ? new ProcessLimitBackend(distinct, settings.maxProcesses()) : distinct;
        return redactor.enabled() && cmdlineEnabled ? new RedactingBackend(guarded, redactor) : guarded;
    }
}
