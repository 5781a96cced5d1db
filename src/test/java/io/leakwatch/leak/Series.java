package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static io.leakwatch.model.ProcessSample.ABSENT;

/** Synthetic processes fed to a real {@link LeakDetector}, sample by sample, the way the collector would. */
final class Series {
    static final double T0 = 1_790_000_000; // a fixed Unix time, so runs are reproducible
    static final double MIB = 1024 * 1024;
    static final double DAY = 86400;
    /** The seed: about 1 GB in 60 days. */
    static final double SEED_BYTES_PER_SECOND = 1e9 / (60 * DAY);

    private Series() {
    }

    static LeakSettings settings(double windowSeconds, double intervalSeconds) {
        return new LeakSettings(true, intervalSeconds, windowSeconds, null, 10 * MIB / DAY, 100 / DAY);
    }

    static LeakSettings defaults() {
        return settings(DAY, 60);
    }

    static ProcessInfo info(String name, long pid, double startTime) {
        return ProcessInfo.of(name, pid, 1, pid, "root", name, startTime);
    }

    static ProcessSample sample(ProcessInfo info, double privateBytes, double handles) {
        return new ProcessSample(info, 1, 1, handles, 4, 20, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, 0, 0,
                ABSENT, ABSENT, privateBytes, privateBytes * 2, privateBytes, privateBytes, privateBytes);
    }

    static ProcessSnapshot snapshot(ProcessSample... samples) {
        return new ProcessSnapshot(List.of(samples), 0, 0);
    }

    /**
     * Runs one process for {@code seconds}, sampled every interval with a random phase jitter and judged after every
     * sample, and returns its last verdict.
     *
     * @param privateBytes private bytes at t seconds since the start
     * @param handles      handles at t (NaN = not readable)
     */
    static LeakVerdict run(LeakSettings settings, double seconds, DoubleUnaryOperator privateBytes, DoubleUnaryOperator handles,
                           long seed) {
        LeakDetector detector = new LeakDetector(settings, 64 * 1024 * MIB);
        Random jitter = new Random(seed);
        ProcessInfo info = info("svc", 4242, T0 - 5);
        double t = 0;
        while (t <= seconds) {
            detector.ingest(snapshot(sample(info, privateBytes.applyAsDouble(t), handles.applyAsDouble(t))), T0 + t);
            detector.evaluate(T0 + t); // as leakwatch does after every sample: verdicts build on the previous ones
            t += settings.sampleIntervalSeconds() * (0.9 + 0.2 * jitter.nextDouble());
        }
        LeakReport report = detector.evaluate(T0 + seconds);
        return report.processes().get(0);
    }

    /** Gaussian noise with the given standard deviation, deterministic per (seed, t). */
    static double noise(long seed, double t, double sigma) {
        return new Random(seed * 1_000_003L + Double.doubleToLongBits(t)).nextGaussian() * sigma;
    }

    /** A Go/JVM-style GC sawtooth: the heap climbs by {@code amplitude} over {@code period}, then is collected. */
    static double sawtooth(double t, double period, double amplitude) {
        return amplitude * ((t % period) / period);
    }

    static List<Long> seeds(int count) {
        List<Long> out = new ArrayList<>();
        for (long i = 1; i <= count; i++) {
            out.add(i * 7919);
        }
        return out;
    }
}
