package io.leakwatch.backend.windows;

import com.sun.jna.Pointer;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSnapshot;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Not a test: measures what leakwatch adds to one NtQuerySystemInformation call (copying aside):
 * parsing the records and building the samples, for a machine-sized buffer.
 * Run after {@code mvn test-compile}:
 * {@code java -cp target/classes:target/test-classes:$(mvn -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
 * io.leakwatch.backend.windows.WindowsBackendBenchmark [processes] [threadsEach]}
 */
public final class WindowsBackendBenchmark {
    public static void main(String[] args) throws Exception {
        int processes = args.length > 0 ? Integer.parseInt(args[0]) : 1090;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        FakeNtQuery table = new FakeNtQuery().addProcesses(processes, threads);
        byte[][] recorded = new byte[1][];
        long[] recordedBase = new long[1];
        // The kernel's part, replayed: copy a prepared buffer (names already at the right addresses).
        SystemInformationCall replay = (buffer, length, returnLength) -> {
            long base = Pointer.nativeValue(buffer);
            if (recorded[0] == null || recordedBase[0] != base) {
                SpiBufferBuilder builder = new SpiBufferBuilder();
                table.processes.forEach(builder::add);
                recorded[0] = builder.build(base);
                recordedBase[0] = base;
            }
            if (recorded[0].length > length) {
                returnLength.setInt(0, recorded[0].length);
                return NtStatus.INFO_LENGTH_MISMATCH;
            }
            buffer.write(0, recorded[0], 0, recorded[0].length);
            returnLength.setInt(0, recorded[0].length);
            return NtStatus.SUCCESS;
        };
        WindowsProcessBackendTest.FakeDetails details = new WindowsProcessBackendTest.FakeDetails();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (WindowsProcessBackend backend = new WindowsProcessBackend(new ProcessInformationBuffer(replay), details, ProcessFilter.all(), true, false)) {
            ProcessFilter all = ProcessFilter.all();
            for (int i = 0; i < 3000; i++) {
                backend.collect(); // warm-up: JIT, and the per-lifetime cache fills once
            }
            int rounds = 2000;
            long[] nanos = new long[rounds];
            long allocatedBefore = mx.getCurrentThreadAllocatedBytes();
            ProcessSnapshot last = null;
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                last = backend.collect();
                nanos[i] = System.nanoTime() - t0;
            }
            long allocated = (mx.getCurrentThreadAllocatedBytes() - allocatedBefore) / rounds;
            Arrays.sort(nanos);
            System.out.printf("processes=%d threads/process=%d buffer=%d bytes: collect median %.3f ms, p90 %.3f ms, "
                            + "allocated %d KiB per collect, samples=%d, details reads=%d%n",
                    processes, threads, recorded[0].length, nanos[rounds / 2] / 1e6, nanos[rounds * 9 / 10] / 1e6,
                    allocated / 1024, last.processes().size(), details.reads.size());
        }
    }
}
