package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;
import io.leakwatch.metrics.CollectionResult;
import io.leakwatch.metrics.ExtraFamilies;
import io.leakwatch.metrics.ScrapeCoordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
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
    /** How often the history is saved besides on shutdown: a SIGKILL loses at most this much. */
    static final double SAVE_EVERY_SECONDS = 60;
    /** A collection at most this long before a tick is reused instead of collecting again. */
    private static final double REUSE_SHARE_OF_INTERVAL = 0.5;
    /** The pages' next steps are written for this OS's shell and tools. */
    private static final String OS_NAME = System.getProperty("os.name", "");

    private final LeakSettings settings;
    private final ScrapeCoordinator coordinator;
    private final LeakDetector detector;
    private final ScheduledExecutorService ticker;
    private boolean saving; // guarded by this; false when the state file is off or is not ours to overwrite
    private boolean keepAside; // the file read at start is ours but not fully usable: rename it before the first save
    private boolean saveFailing;

    private LeakWatch(LeakSettings settings, ScrapeCoordinator coordinator, LeakDetector detector, boolean saving,
                      boolean keepAside) {
        this.settings = settings;
        this.saving = saving;
        this.keepAside = keepAside;
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
        boolean saving = file != null;
        boolean keepAside = false;
        if (file != null) {
            LeakStateFile.Loaded loaded = LeakStateFile.read(file, LeakStateFile.Limits.of(settings, LeakDetector.MAX_PROCESSES), now());
            if (loaded.message() != null) {
                LOG.atWarn().setMessage("leak detection: --leak.state-file").addKeyValue("problem", loaded.message()).log();
            }
            detector.restore(loaded.histories());
            saving = loaded.mayOverwrite();
            keepAside = loaded.keepAside();
        }
        LeakWatch watch = new LeakWatch(settings, coordinator, detector, saving, keepAside);
        coordinator.addListener(watch::onCollection);
        long periodMillis = Math.round(settings.sampleIntervalSeconds() * 1000);
        watch.ticker.scheduleWithFixedDelay(watch::tick, 0, periodMillis, TimeUnit.MILLISECONDS);
        long saveMillis = Math.round(SAVE_EVERY_SECONDS * 1000);
        watch.ticker.scheduleAtFixedRate(watch::periodicSave, saveMillis, saveMillis, TimeUnit.MILLISECONDS);
        LOG.info("leak detection: sampling every {}s, window {} in {} buckets, state file {}",
                settings.sampleIntervalSeconds(), Human.duration(settings.windowSeconds()), LeakSettings.BUCKETS,
                file == null ? "off" : saving ? file : file + " (not saved)");
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
        } catch (RuntimeException e) {
            LOG.error("leak detection: sampling failed", e); // keep the schedule alive
        }
    }

    private void periodicSave() {
        try {
            save();
        } catch (RuntimeException e) {
            LOG.error("leak detection: saving failed", e); // keep the schedule alive
        }
    }

    private synchronized void save() {
        Path file = settings.stateFile();
        if (file == null || !saving) {
            return;
        }
        if (keepAside) {
            // done at the first save, not at start: a start that fails (a port in use) leaves the file as it was
            try {
                Path aside = LeakStateFile.moveAside(file, Instant.now());
                LOG.warn("leak detection: --leak.state-file: kept the old file as {}", aside);
                keepAside = false;
            } catch (IOException | RuntimeException e) {
                LOG.warn("leak detection: --leak.state-file: cannot keep {} aside ({}): leaving it alone, the leak history "
                        + "will not be saved", file, e.getMessage());
                saving = false;
                return;
            }
        }
        try {
            LeakStateFile.write(file, settings, now(), detector.export());
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

    /** The /leaks page for the latest report. */
    public String html() {
        return LeakPage.html(detector.report(), OS_NAME);
    }

    /** The same, as JSON. */
    public String json() {
        return LeakJson.render(detector.report(), OS_NAME);
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
