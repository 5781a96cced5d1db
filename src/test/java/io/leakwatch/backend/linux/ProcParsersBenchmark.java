package io.leakwatch.backend.linux;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Per-process cost of the /proc parsers (one op = one process's file), on the real bytes of this
 * JVM's own files. Run with src/bench/jmh.sh; "-prof gc" gives gc.alloc.rate.norm = bytes per process.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProcParsersBenchmark {
    private byte[] stat;
    private byte[] status;
    private byte[] io;

    @Setup
    public void capture() throws IOException {
        stat = Files.readAllBytes(Path.of("/proc/self/stat"));
        status = Files.readAllBytes(Path.of("/proc/self/status"));
        io = Files.readAllBytes(Path.of("/proc/self/io"));
    }

    @Benchmark
    public ProcStat statSteadyState() {
        return ProcStatParser.parse(stat, stat.length, false); // what a scrape of a known process does
    }

    @Benchmark
    public ProcStat statNewProcess() {
        return ProcStatParser.parse(stat, stat.length, true);
    }

    @Benchmark
    public ProcStatus status() {
        return ProcStatusParser.parse(status, status.length);
    }

    @Benchmark
    public ProcIo io() {
        return ProcIoParser.parse(io, io.length);
    }
}
