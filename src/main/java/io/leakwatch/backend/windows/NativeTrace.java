package io.leakwatch.backend.windows;

import com.sun.jna.platform.win32.NTStatus;
import com.sun.jna.platform.win32.WinError;
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
            WinError.ERROR_ACCESS_DENIED, "access denied",
            WinError.ERROR_INVALID_HANDLE, "invalid handle",
            WinError.ERROR_INVALID_PARAMETER, "invalid parameter: process gone",
            WinError.ERROR_INSUFFICIENT_BUFFER, "insufficient buffer",
            WinError.ERROR_PARTIAL_COPY, "partial copy",
            // what AdjustTokenPrivileges leaves when the token lacks the privilege (see DebugPrivilege)
            WinError.ERROR_NOT_ALL_ASSIGNED, "privilege not held",
            WinError.ERROR_NONE_MAPPED, "no account for this SID",
            WinError.RPC_S_SERVER_UNAVAILABLE, "RPC server unavailable",
            WinError.ERROR_TRUSTED_RELATIONSHIP_FAILURE, "trust relationship failed");
    /** Named where this project or jna-platform's NTStatus has a constant; the others have none. */
    private static final Map<Integer, String> NTSTATUS_NAMES = Map.of(
            NtStatus.SUCCESS, "success",
            NtStatus.INFO_LENGTH_MISMATCH, "info length mismatch",
            NtStatus.BUFFER_TOO_SMALL, "buffer too small",
            NTStatus.STATUS_ACCESS_DENIED, "access denied",
            0xC0000003, "invalid info class", // STATUS_INVALID_INFO_CLASS
            0xC000010A, "process is terminating", // STATUS_PROCESS_IS_TERMINATING
            NtStatus.BUFFER_OVERFLOW, "buffer overflow",
            0xC0000008, "invalid handle", // STATUS_INVALID_HANDLE
            0xC0000005, "access violation"); // STATUS_ACCESS_VIOLATION

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
