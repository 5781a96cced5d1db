package io.leakwatch.backend.linux;

import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSnapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Real reads, syscalls included: one /proc file through {@link ProcFileReader}, and one whole
 * {@link LinuxProcBackend#collect} of this machine (divide by the process count it prints).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ProcReadBenchmark {
    private final ProcFileReader reader = new ProcFileReader(4096, 64 * 1024);
    private final Path selfStatus = Path.of("/proc/self/status");
    private LinuxProcBackend backend;
    private final ProcessFilter all = ProcessFilter.all();

    @Setup
    public void open() {
        backend = new LinuxProcBackend(Path.of("/proc"), all, true);
        ProcessSnapshot first = backend.collect();
        System.out.println("[ProcReadBenchmark] collect() covers " + first.processes().size() + " processes");
    }

    @TearDown
    public void close() {
        backend.close();
    }

    @Benchmark
    public int readOneFile() throws IOException {
        return reader.read(selfStatus);
    }

    @Benchmark
    public ProcessSnapshot collectAll() {
        return backend.collect();
    }
}
