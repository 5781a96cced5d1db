package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Run in a child JVM with the launcher's flags by {@link LeakStateFileHeapTest}: the largest state the default
 * settings keep (5,000 processes with full histories and every past life the caps allow) is saved, read back,
 * restored, judged and saved again. Prints one line of figures; any OutOfMemoryError exits the JVM
 * (-XX:+ExitOnOutOfMemoryError).
 */
public final class StateFileHeapProbe {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int processes = LeakDetector.MAX_PROCESSES;
        int pastLives = PastLives.MAX_SERVICES * PastLives.MAX_LIVES_PER_SERVICE;
        LeakSettings settings = new LeakSettings(true, 60, 86400, file, 10 * 1024 * 1024 / 86400.0, 100 / 86400.0);
        double now = 1_790_000_000;
        double b = settings.bucketSeconds();
        long lastId = (long) Math.floor(now / b);
        List<SavedHistory> histories = new ArrayList<>(processes + pastLives);
        for (int i = 0; i < processes + pastLives; i++) {
            boolean ended = i >= processes;
            int n = LeakSettings.BUCKETS + 1;
            long[] ids = new long[n];
            double[] priv = new double[n];
            double[] hand = new double[n];
            for (int k = 0; k < n; k++) {
                ids[k] = lastId - n + 1 + k;
                priv[k] = 123_456_789 + 1_000_003L * k + i;
                hand[k] = 100 + k;
            }
            String name = String.format(Locale.ROOT, "process-with-a-realistic-name-%06d", i);
            ServiceIdentity service = ServiceIdentity.of(ended ? "svc" + (i % PastLives.MAX_SERVICES) : name, "root", "/usr/bin/x");
            histories.add(new SavedHistory(10_000 + i, ids[0] * b - 30, name, service, ids[0] * b, now - 1, 123_456_789, 150, false,
                    ended, new FloorHistory.Buckets(b, ids, priv, hand)));
        }
        LeakStateCodec.Limits limits = LeakStateCodec.Limits.of(settings, LeakDetector.MAX_PROCESSES);
        Clock clock = Clock.systemUTC();
        long t0 = System.nanoTime();
        try (StateFile first = StateFile.open(file, null, clock, (in, size) -> LeakStateCodec.read(in, size, limits, now),
                LeakStateCodec.Decoded.NOTHING).file()) {
            List<SavedHistory> all = histories;
            first.save(out -> LeakStateCodec.write(out, settings.bucketSeconds(), now, all));
        }
        long t1 = System.nanoTime();
        histories = null; // only what is read back stays
        System.gc();
        StateFile.Opened<LeakStateCodec.Decoded> opened = StateFile.open(file, null, clock,
                (in, size) -> LeakStateCodec.read(in, size, limits, now), LeakStateCodec.Decoded.NOTHING);
        LeakStateCodec.Decoded loaded = opened.content();
        long t2 = System.nanoTime();
        if (loaded.verdict() != StateFile.Verdict.USABLE || loaded.histories().size() != processes + pastLives) {
            throw new AssertionError(loaded.verdict() + " " + loaded.problem() + " " + loaded.histories().size());
        }
        LeakDetector detector = new LeakDetector(settings, 64e9);
        detector.restore(loaded.histories());
        loaded = null;
        List<ProcessSample> samples = new ArrayList<>(processes);
        for (int i = 0; i < processes; i++) {
            String name = String.format(Locale.ROOT, "process-with-a-realistic-name-%06d", i);
            ProcessInfo info = ProcessInfo.of(name, 10_000 + i, 1, 1, "root", "/usr/bin/x", lastId * b - (LeakSettings.BUCKETS) * b - 30);
            samples.add(new ProcessSample(info, 1, 1, 150, 4, 20, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, 0, 0, Double.NaN, Double.NaN, 123_456_789, 2e8, 123_456_789, 123_456_789, 123_456_789));
        }
        detector.ingest(new ProcessSnapshot(samples, 0, 0), now);
        long t3 = System.nanoTime();
        LeakReport report = detector.evaluate(now + b);
        long t4 = System.nanoTime();
        opened.file().save(out -> LeakStateCodec.write(out, settings.bucketSeconds(), now, detector.export()));
        opened.file().close();
        long t5 = System.nanoTime();
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.out.printf(Locale.ROOT, "entries=%d tracked=%d pastLives=%d fileBytes=%d writeMs=%.0f readMs=%.0f restoreMs=%.0f "
                        + "evaluateMs=%.0f rewriteMs=%.0f usedHeapAfterMiB=%.1f maxHeapMiB=%.0f%n",
                processes + pastLives, report.processes().size(), detector.pastLifeCount(), Files.size(file), (t1 - t0) / 1e6,
                (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, (t5 - t4) / 1e6, (rt.totalMemory() - rt.freeMemory()) / 1048576.0,
                rt.maxMemory() / 1048576.0);
    }
}
