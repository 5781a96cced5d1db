package io.leakwatch.leak;

import io.leakwatch.metrics.CollectionResult;
import io.leakwatch.metrics.ExtraFamilies;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Leak detection's lifecycle: feeds every collection (scrape or background) into the detector,
 * makes sure one happens at least every --leak.sample-interval without a second /proc walk when a
 * scrape just ran, judges, and saves the history periodically and on close. A failed save is
 * counted (leakwatch_leak_state_save_failures_total) and logged, at most once per
 * {@link #REPEAT_LOG_SECONDS} for the same problem.
 */
public final class LeakWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeakWatch.class);
    /** How often the history is saved besides on shutdown: a SIGKILL loses at most this much. */
    static final double SAVE_EVERY_SECONDS = 60;
    /** The same save failure is logged again after this long (with how many there were). */
    static final double REPEAT_LOG_SECONDS = 600;
    /** A collection at most this long before a tick is reused instead of collecting again. */
    private static final double REUSE_SHARE_OF_INTERVAL = 0.5;
    /** The pages' next steps are written for this OS's shell and tools. */
    private static final String OS_NAME = System.getProperty("os.name", "");

    private final LeakSettings settings;
    private final ScrapeCoordinator coordinator;
    private final LeakDetector detector;
    private final Clock clock;
    private final ScheduledExecutorService ticker;
    private final StateFile stateFile; // null when --leak.state-file is empty
    // saving: written under this, read by scrapes without it (a scrape never waits for a save)
    private volatile long saveFailures;
    private volatile double lastSaveSeconds; // 0 until the first save
    private String loggedFailure; // guarded by this: the failure last logged, null when the last save worked
    private double loggedFailureAt; // guarded by this
    private long failuresAtLog; // guarded by this

    private LeakWatch(LeakSettings settings, ScrapeCoordinator coordinator, LeakDetector detector, Clock clock,
                      ScheduledExecutorService ticker, StateFile stateFile) {
        this.settings = settings;
        this.coordinator = coordinator;
        this.detector = detector;
        this.clock = clock;
        this.ticker = ticker;
        this.stateFile = stateFile;
    }

    /**
     * Restores the state file, hooks into the coordinator and starts the background sampler.
     *
     * @param physicalMemoryBytes the host's memory, for the time until a leak fills it (NaN: unknown)
     * @throws IllegalArgumentException another leakwatch uses the same --leak.state-file (one line)
     */
    public static LeakWatch start(LeakSettings settings, ScrapeCoordinator coordinator, double physicalMemoryBytes) {
        return start(settings, coordinator, physicalMemoryBytes, Clock.systemUTC(), Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "leakwatch-leak");
            t.setDaemon(true);
            return t;
        }));
    }

    /** @param ticker runs the sampling and the periodic saves; shut down by {@link #close} */
    static LeakWatch start(LeakSettings settings, ScrapeCoordinator coordinator, double physicalMemoryBytes, Clock clock,
                           ScheduledExecutorService ticker) {
        LeakDetector detector = new LeakDetector(settings, physicalMemoryBytes);
        Path file = settings.stateFile();
        StateFile stateFile = null;
        if (file != null) {
            LeakStateCodec.Limits limits = LeakStateCodec.Limits.of(settings, LeakDetector.MAX_PROCESSES);
            double now = clock.millis() / 1000.0;
            StateFile.Opened<LeakStateCodec.Decoded> opened;
            try {
                String older = settings.olderStateFile() == null ? null : settings.olderStateFile().getFileName().toString();
                opened = StateFile.open(file, older, clock, (in, size) -> LeakStateCodec.read(in, size, limits, now),
                        LeakStateCodec.Decoded.NOTHING);
            } catch (StateFile.InUse e) {
                ticker.shutdownNow();
                throw new IllegalArgumentException(e.getMessage());
            }
            stateFile = opened.file();
            String problem = stateFile.refusal() != null ? stateFile.refusal() + "; the leak history is not saved"
                    : opened.content().problem() == null ? null : file + " " + opened.content().problem();
            if (problem != null) {
                LOG.atWarn().setMessage("leak detection: --leak.state-file").addKeyValue("problem", problem).log();
            }
            detector.restore(opened.content().histories());
        }
        LeakWatch watch = new LeakWatch(settings, coordinator, detector, clock, ticker, stateFile);
        coordinator.addListener(watch::onCollection);
        long periodMillis = Math.round(settings.sampleIntervalSeconds() * 1000);
        ticker.scheduleWithFixedDelay(watch::tick, 0, periodMillis, TimeUnit.MILLISECONDS);
        long saveMillis = Math.round(SAVE_EVERY_SECONDS * 1000);
        ticker.scheduleAtFixedRate(() -> watch.save(false), saveMillis, saveMillis, TimeUnit.MILLISECONDS);
        LOG.info("leak detection: sampling every {}s, window {} in {} buckets, state file {}",
                settings.sampleIntervalSeconds(), Human.duration(settings.windowSeconds()), LeakSettings.BUCKETS,
                file == null ? "off" : stateFile.refusal() == null ? file : file + " (not saved)");
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

    /**
     * Saves the history; a failure is counted and logged (the first of a kind at once, the same one again after
     * {@link #REPEAT_LOG_SECONDS}, any at shutdown), never thrown: the schedule goes on.
     */
    private synchronized void save(boolean last) {
        if (stateFile == null) {
            return;
        }
        double now = now();
        try {
            stateFile.save(out -> LeakStateCodec.write(out, settings.bucketSeconds(), now, detector.export()));
            lastSaveSeconds = now;
            if (loggedFailure != null) {
                LOG.info("leak detection: saving --leak.state-file works again");
                loggedFailure = null;
            }
        } catch (IOException | RuntimeException e) {
            saveFailures++;
            String problem = e instanceof IOException ? StateFile.oneLine(e) : e.toString();
            if (last || !problem.equals(loggedFailure) || now - loggedFailureAt >= REPEAT_LOG_SECONDS) {
                long since = problem.equals(loggedFailure) ? saveFailures - failuresAtLog : 1;
                String repeated = since > 1 ? " (" + since + " failed saves since the last line)" : "";
                LOG.atWarn().setMessage("leak detection: cannot save --leak.state-file" + (last ? " at shutdown" : "") + repeated)
                        .addKeyValue("problem", problem).log();
                loggedFailure = problem;
                loggedFailureAt = now;
                failuresAtLog = saveFailures;
            }
        }
    }

    /** leakwatch_leak_state_*: none when --leak.state-file is off. */
    private List<MetricFamilySamples> stateFamilies() {
        if (stateFile == null) {
            return List.of();
        }
        return List.of(
                new MetricFamilySamples("leakwatch_leak_state_save_failures", Collector.Type.COUNTER,
                        "Saves of --leak.state-file that failed or were refused since start (each is logged).",
                        List.of(new MetricFamilySamples.Sample("leakwatch_leak_state_save_failures_total", List.of(), List.of(),
                                saveFailures))),
                new MetricFamilySamples("leakwatch_leak_state_last_save_timestamp_seconds", Collector.Type.GAUGE,
                        "Unix time of the last successful save of --leak.state-file; 0 before the first.",
                        List.of(new MetricFamilySamples.Sample("leakwatch_leak_state_last_save_timestamp_seconds", List.of(),
                                List.of(), lastSaveSeconds))));
    }

    /** Metric families for the scrape. */
    public ExtraFamilies metrics() {
        LeakMetrics verdicts = new LeakMetrics(detector::report);
        return snapshot -> {
            List<MetricFamilySamples> out = new ArrayList<>(verdicts.families(snapshot));
            out.addAll(stateFamilies());
            return out;
        };
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

    private double now() {
        return clock.millis() / 1000.0;
    }

    /** Stops sampling, saves the history one last time and releases the state file. */
    @Override
    public void close() {
        stopSampling();
        save(true);
        release();
    }

    /** Stops sampling without saving: for a start that failed (a port in use must not overwrite the saved history). */
    public void discard() {
        stopSampling();
        release();
    }

    /** Releases the state file's lock (after a save still running, if stopping the sampler timed out). */
    private synchronized void release() {
        if (stateFile != null) {
            stateFile.close();
        }
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
