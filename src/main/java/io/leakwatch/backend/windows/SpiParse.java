package io.leakwatch.backend.windows;

import java.util.List;

/**
 * Result of walking one SYSTEM_PROCESS_INFORMATION buffer.
 *
 * @param records   the records that passed every bounds check, in buffer order
 * @param malformed records skipped, plus one when the walk had to stop early on a broken chain
 * @param problem   first problem met, for a debug log line; empty when the buffer was clean
 */
public record SpiParse(List<SpiRecord> records, int malformed, String problem) {
    public SpiParse {
        records = List.copyOf(records);
    }
}
