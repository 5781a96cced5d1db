package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToDoubleFunction;

/**
 * What leak detection costs per process, at the default settings (48 buckets of 30 min):
 * <ul>
 *   <li>ingest: one process of a 1,000-process collection fed into the histories (every sample);</li>
 *   <li>evaluateUnchanged: one process of an evaluation between two bucket ends (every sample);</li>
 *   <li>judgeEveryProcessAtABucketEnd: one process of an evaluation at a bucket end, every rule and both resources;</li>
 *   <li>judgeOneLife / judgeWander / judgeEightLives: judging one process with a full window, once per bucket end
 *       (a steady leak: finest scale consistent; a wander: every scale tried; a service with 8 earlier lives).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LeakDetectorBenchmark {
    static final int PROCESSES = 1000;
    static final double B = 1800;
    private LeakDetector detector;
    private ProcessSnapshot snapshot;
    private double now;
    private List<FloorTrend.Life> leak;
    private List<FloorTrend.Life> wander;
    private List<FloorTrend.Life> lives;

    @Setup
    public void build() {
        LeakSettings settings = new LeakSettings(true, 60, 86400, null, 10 * 1024 * 1024 / 86400.0, 100 / 86400.0);
        detector = new LeakDetector(settings, 64e9);
        double t0 = 1_790_000_000;
        List<ProcessInfo> infos = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            infos.add(ProcessInfo.of("p" + i, 10_000 + i, 1, 1, "root", "/usr/bin/p" + i, t0 - 100));
        }
        // three days: every rule has its history (the daily lows read three windows of coarse floors)
        for (int m = 0; m <= 3 * 24 * 60; m++) {
            now = t0 + 60 * m;
            snapshot = snapshot(infos, m);
            detector.ingest(snapshot, now);
            if (m % 30 == 0) {
                detector.evaluate(now);
            }
        }
        detector.evaluate(now);
        Random r = new Random(1);
        leak = List.of(life(0, i -> 4e7 + 6e5 * i + r.nextDouble() * 1e5));
        double[] walk = {4e7};
        wander = List.of(life(0, i -> walk[0] += r.nextGaussian() * 2e6));
        lives = new ArrayList<>();
        for (int l = 0; l < 8; l++) {
            int from = l * 6;
            lives.add(trimmed(life(from, i -> 4e7 + 3e5 * (i - from) + r.nextDouble() * 1e5), 6));
        }
    }

    private static ProcessSnapshot snapshot(List<ProcessInfo> infos, int minute) {
        List<ProcessSample> samples = new ArrayList<>(infos.size());
        for (ProcessInfo info : infos) {
            double v = 4e7 + (minute % 7) * 1e5 + info.pid();
            samples.add(new ProcessSample(info, 1, 1, 120, 4, 20, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, 0, 0, Double.NaN, Double.NaN, v, 2 * v, v, v, v));
        }
        return new ProcessSnapshot(samples, 0, 0);
    }

    private static FloorTrend.Life trimmed(FloorTrend.Life life, int n) {
        return new FloorTrend.Life(life.startSeconds(), life.firstSampleSeconds(), B, Arrays.copyOf(life.ids(), n),
                Arrays.copyOf(life.floors(), n));
    }

    private static FloorTrend.Life life(int from, IntToDoubleFunction value) {
        int n = LeakSettings.BUCKETS - from;
        long[] ids = new long[n];
        double[] floors = new double[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1_000_000 + from + i;
            floors[i] = value.applyAsDouble(from + i);
        }
        double start = ids[0] * B;
        return new FloorTrend.Life(start, start, B, ids, floors);
    }

    @Benchmark
    @OperationsPerInvocation(PROCESSES)
    public void ingest() {
        detector.ingest(snapshot, now);
    }

    @Benchmark
    @OperationsPerInvocation(PROCESSES)
    public LeakReport evaluateUnchanged() {
        return detector.evaluate(now);
    }

    /** A bucket completes: every process is judged again, by every rule, both resources. */
    @Benchmark
    @OperationsPerInvocation(PROCESSES)
    public LeakReport judgeEveryProcessAtABucketEnd() {
        now += B;
        detector.ingest(snapshot, now);
        return detector.evaluate(now);
    }

    @Benchmark
    public ResourceVerdict judgeOneLife() {
        return judge(leak);
    }

    @Benchmark
    public ResourceVerdict judgeWander() {
        return judge(wander);
    }

    @Benchmark
    public ResourceVerdict judgeEightLives() {
        return judge(lives);
    }

    private static ResourceVerdict judge(List<FloorTrend.Life> lives) {
        FloorTrend t = FloorTrend.of(lives, 86400);
        return ResourceVerdict.judge(new ResourceVerdict.Input(t, 86400, true, 86400, 121.4, null, null, 0, 0, -1, lives.size() - 1,
                false, Double.NaN, null), ResourceVerdict.History.NONE, Human::bytes, Human::bytesPerDay);
    }
}
