package io.leakwatch.backend.windows;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The Windows record parser per process (one op = one SYSTEM_PROCESS_INFORMATION record of a
 * 1,000-process buffer with 15 threads each), so its cost and allocation per process sit next to
 * the /proc parsers'. Run with src/bench/jmh.sh (gc.alloc.rate.norm = bytes per process).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SpiParserBenchmark {
    static final int PROCESSES = 1000;
    private static final long BASE = 0x7f00_0000_0000L;
    private byte[] buffer;

    @Setup
    public void build() {
        SpiBufferBuilder builder = new SpiBufferBuilder();
        for (int i = 0; i < PROCESSES; i++) {
            builder.add(SpiBufferBuilder.record(1000 + 4L * i, "service" + (i % 50) + ".exe", 15, i));
        }
        buffer = builder.build(BASE);
        SpiParse check = SpiParser.parse(buffer, BASE);
        if (check.records().size() != PROCESSES || check.malformed() != 0) {
            throw new IllegalStateException("benchmark buffer does not parse: " + check);
        }
    }

    @Benchmark
    @OperationsPerInvocation(PROCESSES)
    public SpiParse parseRecords() {
        return SpiParser.parse(buffer, BASE);
    }
}
