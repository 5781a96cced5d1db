package io.leakwatch.backend.windows;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each native call returned: logged at debug level, one line per call, and counted per call
 * and outcome for {@code leakwatch diagnose}. The counts are bounded: a call keeps at most
 * {@link #MAX_OUTCOMES} distinct outcomes. Thread-safe.
 */
public final class NativeTrace {
    static final int MAX_OUTCOMES = 32;
    private static final Logger LOG = LoggerFactory.getLogger("io.leakwatch.backend.windows.native");
    private static final Map<Integer, String> WIN32_NAMES = Map.of(
            5, "access denied", 6, "invalid handle", 87, "invalid parameter: process gone",
            122, "insufficient buffer", 299, "partial copy", 1300, "privilege not held",
            1332, "no account for this SID", 1722, "RPC server unavailable", 1789, "trust relationship failed");
    private static final Map<Integer, String> NTSTATUS_NAMES = Map.of(
            0x00000000, "success", 0xC0000004, "info length mismatch", 0xC0000023, "buffer too small",
            0xC0000022, "access denied", 0xC0000003, "invalid info class", 0xC000010A, "process is terminating",
            0x80000005, "buffer overflow", 0xC0000008, "invalid handle", 0xC0000005, "access violation");

    private final Map<String, Map<String, Long>> counts = new TreeMap<>();

    /** A Win32 call: {@code ok}, or failed with {@code error} (from Native.getLastError). */
    public void win32(String call, boolean ok, int error, Object context) {
        record(call, ok ? "ok" : win32Text(error), context);
    }

    /** An NT call and its NTSTATUS. */
    public void ntstatus(String call, int status, Object context) {
        record(call, ntstatusText(status), context);
    }

    /** Any other outcome worth counting ("pid reused", "no PEB"). */
    public void outcome(String call, String outcome, Object context) {
        record(call, outcome, context);
    }

    /** Call name to outcome to count, sorted by call. */
    public synchronized Map<String, Map<String, Long>> counts() {
        Map<String, Map<String, Long>> copy = new LinkedHashMap<>();
        counts.forEach((call, outcomes) -> copy.put(call, new LinkedHashMap<>(outcomes)));
        return copy;
    }

    private synchronized void record(String call, String outcome, Object context) {
        Map<String, Long> outcomes = counts.computeIfAbsent(call, c -> new TreeMap<>());
        if (outcomes.containsKey(outcome) || outcomes.size() < MAX_OUTCOMES) {
            outcomes.merge(outcome, 1L, Long::sum);
        } else {
            outcomes.merge("other", 1L, Long::sum);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} -> {}", call, context, outcome);
        }
    }

    static String win32Text(int error) {
        String name = WIN32_NAMES.get(error);
        return "Win32 error " + error + (name == null ? "" : " (" + name + ")");
    }

    static String ntstatusText(int status) {
        String name = NTSTATUS_NAMES.get(status);
        return "NTSTATUS " + NtStatus.hex(status) + (name == null ? "" : " (" + name + ")");
    }
}
