package io.leakwatch.leak;

import io.leakwatch.config.LeakSettings;
import io.leakwatch.metrics.CollectionResult;
import io.leakwatch.metrics.ExtraEndpoint;
import io.leakwatch.metrics.ExtraFamilies;
import io.leakwatch.metrics.ScrapeCoordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Leak detection's lifecycle: feeds every collection (scrape or background) into the detector,
 * makes sure one happens at least every --leak.sample-interval without a second /proc walk when a
 * scrape just ran, judges, and saves the history periodically and on close.
 */
public final class LeakWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeakWatch.class);
    /** How often the history is saved besides on shutdown. */
    static final double SAVE_EVERY_SECONDS = 300;
    /** A collection at most this long before a tick is reused instead of collecting again. */
    private static final double REUSE_SHARE_OF_INTERVAL = 0.5;

    private final LeakSettings settings;
    private final ScrapeCoordinator coordinator;
    private final LeakDetector detector;
    private final ScheduledExecutorService ticker;
    private double lastSaveSeconds;
    private boolean saveFailing;

    private LeakWatch(LeakSettings settings, ScrapeCoordinator coordinator, LeakDetector detector) {
        this.settings = settings;
        this.coordinator = coordinator;
        this.detector = detector;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "leakwatch-leak");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Restores the state file, hooks into the coordinator and starts the background sampler.
     *
     * @param physicalMemoryBytes the host's memory, for the time until a leak fills it (NaN: unknown)
     */
    public static LeakWatch start(LeakSettings settings, ScrapeCoordinator coordinator, double physicalMemoryBytes) {
        LeakDetector detector = new LeakDetector(settings, physicalMemoryBytes);
        Path file = settings.stateFile();
        if (file != null) {
            try {
                List<SavedHistory> saved = LeakStateFile.read(file, settings);
                detector.restore(saved);
            } catch (LeakStateFile.Unusable e) {
                LOG.warn("leak detection: ignoring the state file --leak.state-file: {}", e.getMessage());
            }
        }
        LeakWatch watch = new LeakWatch(settings, coordinator, detector);
        watch.lastSaveSeconds = now();
        coordinator.addListener(watch::onCollection);
        long periodMillis = Math.round(settings.sampleIntervalSeconds() * 1000);
        watch.ticker.scheduleWithFixedDelay(watch::tick, 0, periodMillis, TimeUnit.MILLISECONDS);
        LOG.info("leak detection: sampling every {}s, window {} in {} buckets, state file {}",
                settings.sampleIntervalSeconds(), Human.duration(settings.windowSeconds()), LeakSettings.BUCKETS,
                file == null ? "off" : file);
        return watch;
    }

    private void onCollection(CollectionResult result) {
        if (result.snapshot() != null) {
            detector.ingest(result.snapshot(), result.finishedAtMillis() / 1000.0);
        }
    }

    private void tick() {
        try {
            CollectionResult latest = coordinator.latest();
            double now = now();
            if (latest == null || now - latest.finishedAtMillis() / 1000.0 > REUSE_SHARE_OF_INTERVAL * settings.sampleIntervalSeconds()) {
                coordinator.collect(Math.max(5, settings.sampleIntervalSeconds())); // the listener ingests it
            }
            detector.evaluate(now());
            if (now - lastSaveSeconds >= SAVE_EVERY_SECONDS) {
                save();
            }
        } catch (RuntimeException e) {
            LOG.error("leak detection: sampling failed", e); // keep the schedule alive
        }
    }

    private void save() {
        lastSaveSeconds = now();
        Path file = settings.stateFile();
        if (file == null) {
            return;
        }
        try {
            LeakStateFile.write(file, settings, lastSaveSeconds, detector.export());
            if (saveFailing) {
                LOG.info("leak detection: saving {} works again", file);
                saveFailing = false;
            }
        } catch (IOException | RuntimeException e) {
            if (!saveFailing) {
                LOG.warn("leak detection: cannot save --leak.state-file {}: {}", file, e.toString());
                saveFailing = true;
            }
        }
    }

    /** Metric families for the scrape. */
    public ExtraFamilies metrics() {
        return new LeakMetrics(detector::report);
    }

    /** The latest published report. */
    LeakReport report() {
        return detector.report();
    }

    /** /leaks and /leaks.json. */
    public List<ExtraEndpoint> endpoints() {
        return LeakEndpoints.of(detector::report);
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** Stops sampling and saves the history one last time. */
    @Override
    public void close() {
        stopSampling();
        save();
    }

    /** Stops sampling without saving: for a start that failed (a port in use must not overwrite the saved history). */
    public void discard() {
        stopSampling();
    }

    private void stopSampling() {
        ticker.shutdown();
        try {
            if (!ticker.awaitTermination(5, TimeUnit.SECONDS)) {
                ticker.shutdownNow();
            }
        } catch (InterruptedException e) {
            ticker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
