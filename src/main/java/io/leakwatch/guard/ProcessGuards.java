package io.leakwatch.guard;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.Flags;
import io.leakwatch.config.Settings;
import io.leakwatch.model.ProcessBackend;


/**
 * Wraps any OS backend with the protections that do not depend on the OS: one sample per pid,
 * the cardinality guard (--collector.process.max-processes), redaction of names and command lines
 * (--collector.process.cmdline-redact) and the cap on the name's length, in that order so only
 * kept processes are redacted, and only redacted names are cut.
 */
public final class ProcessGuards {
    private ProcessGuards() {
    }

    /** @throws IllegalArgumentException one line when a guard flag is invalid */
    public static ProcessBackend wrap(ProcessBackend backend, Settings settings) {
        int max = maxProcesses(settings.config().getString(Flags.PROCESS_MAX_PROCESSES));
        CmdlineRedactor redactor = redactor(settings.config().getString(Flags.PROCESS_CMDLINE_REDACT));
        ProcessBackend distinct = new DistinctPidsBackend(backend);
        ProcessBackend guarded = max > 0 ? new ProcessLimitBackend(distinct, max) : distinct;
        // names too: on Linux a name can be argv[0]'s basename, which can hold what the command line holds
        ProcessBackend redacted = redactor.enabled() ? new RedactingBackend(guarded, redactor) : guarded;
        return new LabelCapBackend(redacted);
    }

    static int maxProcesses(String text) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + Flags.PROCESS_MAX_PROCESSES + ": '" + CommandLine.printable(text)
                + "' is not a whole number >= 0 (0 = no limit)");
    }

    static CmdlineRedactor redactor(String regex) {
        try {
            return CmdlineRedactor.of(regex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + Flags.PROCESS_CMDLINE_REDACT + ": " + e.getMessage()
                    + " in '" + CommandLine.printable(regex) + "' (RE2 syntax, as Go's regexp)");
        }
    }
}
