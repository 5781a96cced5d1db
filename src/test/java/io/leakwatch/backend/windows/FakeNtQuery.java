package io.leakwatch.backend.windows;

import com.sun.jna.Pointer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Behaves like NtQuerySystemInformation(SystemProcessInformation): writes the current process
 * table into the caller's native buffer with name pointers that are real addresses inside it, or
 * answers STATUS_INFO_LENGTH_MISMATCH with the size it needs. Scripted statuses and processes that
 * start between two calls reproduce what the real call does to a caller.
 */
final class FakeNtQuery implements SystemInformationCall {
    final List<SpiRecord> processes = new ArrayList<>();
    /** Statuses to answer before behaving normally, one per call. */
    final Deque<Integer> scriptedStatuses = new ArrayDeque<>();
    /** Processes that start right after each mismatch answer (the table grows between calls). */
    int processesStartingPerMismatch;
    int calls;
    final List<Integer> bufferLengthsSeen = new ArrayList<>();
    private long nextPid = 100_000;

    @Override
    public int querySystemProcessInformation(Pointer buffer, int bufferLength, Pointer returnLength) {
        calls++;
        bufferLengthsSeen.add(bufferLength);
        if (!scriptedStatuses.isEmpty()) {
            return scriptedStatuses.poll();
        }
        SpiBufferBuilder builder = new SpiBufferBuilder();
        processes.forEach(builder::add);
        byte[] bytes = builder.build(Pointer.nativeValue(buffer));
        if (bytes.length > bufferLength) {
            returnLength.setInt(0, bytes.length);
            for (int i = 0; i < processesStartingPerMismatch; i++) {
                long pid = nextPid++;
                processes.add(SpiBufferBuilder.record(pid, "late" + pid + ".exe", 4, pid % 50));
            }
            return NtStatus.INFO_LENGTH_MISMATCH;
        }
        buffer.write(0, bytes, 0, bytes.length);
        returnLength.setInt(0, bytes.length);
        return NtStatus.SUCCESS;
    }

    FakeNtQuery addProcesses(int count, int threadsEach) {
        for (int i = 0; i < count; i++) {
            long pid = 8 + 4L * processes.size();
            processes.add(SpiBufferBuilder.record(pid, "proc" + pid + ".exe", threadsEach, pid % 97));
        }
        return this;
    }
}
