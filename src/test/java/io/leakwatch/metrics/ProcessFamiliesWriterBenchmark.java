package io.leakwatch.metrics;

import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import io.prometheus.client.exporter.common.TextFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.leakwatch.model.ProcessSample.ABSENT;

/**
 * Exposition cost per process (one op = one process of a 1,000-process snapshot, all families),
 * into a UTF-8 writer like the HTTP response's. streamed* is the scrape path; textFormat004 is
 * the simpleclient path it replaced, for comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProcessFamiliesWriterBenchmark {
    static final int PROCESSES = 1000;
    private ProcessSnapshot snapshot;
    private Writer sink;

    @Setup
    public void build() {
        List<ProcessSample> processes = new ArrayList<>(PROCESSES);
        for (int i = 0; i < PROCESSES; i++) {
            ProcessInfo info = ProcessInfo.of("sleep", 10_000 + i, 1, 10_000 + i, "root", "sleep 3600",
                    1_764_150_000 + i * 0.37);
            processes.add(new ProcessSample(info, i * 0.01, i * 0.02, 3, 1, 20, 1024.0 * i, 0, ABSENT, 7, 0, ABSENT,
                    100 + i, 0, ABSENT, ABSENT, 90_112, 8_699_904, 90_112, 1_003_520, 1_003_520 + 4096.0 * i));
        }
        snapshot = new ProcessSnapshot(processes, 0, 0);
        OutputStream discard = OutputStream.nullOutputStream();
        sink = new BufferedWriter(new OutputStreamWriter(discard, StandardCharsets.UTF_8), 16 * 1024);
    }

    @Benchmark
    @OperationsPerInvocation(PROCESSES)
    public void streamed004() throws IOException {
        new ProcessFamiliesWriter().write(sink, snapshot, false);
        sink.flush();
    }

    @Benchmark
    @OperationsPerInvocation(PROCESSES)
    public void streamedOpenMetrics() throws IOException {
        new ProcessFamiliesWriter().write(sink, snapshot, true);
        sink.flush();
    }

    @Benchmark
    @OperationsPerInvocation(PROCESSES)
    public void textFormat004() throws IOException {
        TextFormat.write004(sink, Collections.enumeration(ProcessFamilies.of(snapshot)));
        sink.flush();
    }
}
