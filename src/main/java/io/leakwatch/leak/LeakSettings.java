package io.leakwatch.leak;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Leak detection's own settings, read from the merged config (flags, config file, defaults).
 *
 * @param enabled                  run the sampler, serve /leaks and the leakwatch_leak_* metrics
 * @param sampleIntervalSeconds    the longest gap between two collections
 * @param windowSeconds            history judged per process
 * @param stateFile                where the history survives restarts; null = not saved
 * @param minGrowthBytesPerSecond  private-bytes floor growth that makes a suspect
 * @param minHandleGrowthPerSecond handle floor growth that makes a suspect
 * @param olderStateFile           with --leak.state-file=auto, the default before it named the port: read once when
 *                                 {@code stateFile} does not exist yet; else null
 */
public record LeakSettings(boolean enabled, double sampleIntervalSeconds, double windowSeconds, Path stateFile,
                           double minGrowthBytesPerSecond, double minHandleGrowthPerSecond, Path olderStateFile) {
    /** The window is kept as this many bucket floors: bounds the memory per process. */
    public static final int BUCKETS = 48;
    /** --leak.state-file=auto's file name before it named the port. */
    static final String OLDER_DEFAULT_NAME = "leak-state.json";

    public static final Flag ENABLED = Flag.bool("leak.enabled", true,
            "Built-in leak detection: sample in the background, serve /leaks and the leakwatch_leak_* metrics.");
    public static final Flag SAMPLE_INTERVAL = Flag.string("leak.sample-interval", "60s",
            "Leak detection: collect at least this often (a scrape that just ran is reused), e.g. 60s, 5m.");
    public static final Flag WINDOW = Flag.string("leak.window", "24h",
            "Leak detection: history judged per process, e.g. 24h, 7d (at least 10 sample intervals).");
    public static final Flag STATE_FILE = Flag.path("leak.state-file", "auto",
            "Leak detection: file keeping the history across restarts; empty = do not save; auto = leak-state-PORT.json "
                    + "in the user's state folder (see docs/leak-detection.md).", "auto");
    public static final Flag MIN_GROWTH = Flag.string("leak.min-growth", "10MiB/d",
            "Leak detection: growth of the lower envelope of private bytes that makes a suspect, e.g. 10MiB/d, 1MB/h.");
    public static final Flag MIN_HANDLE_GROWTH = Flag.string("leak.min-handle-growth", "100/d",
            "Leak detection: growth of the lower envelope of the handle count that makes a suspect, e.g. 100/d.");
    public static final List<Flag> FLAGS = List.of(ENABLED, SAMPLE_INTERVAL, WINDOW, STATE_FILE, MIN_GROWTH, MIN_HANDLE_GROWTH);

    /** Settings with no older state file to read. */
    public LeakSettings(boolean enabled, double sampleIntervalSeconds, double windowSeconds, Path stateFile,
                        double minGrowthBytesPerSecond, double minHandleGrowthPerSecond) {
        this(enabled, sampleIntervalSeconds, windowSeconds, stateFile, minGrowthBytesPerSecond, minHandleGrowthPerSecond, null);
    }

    public double bucketSeconds() {
        return windowSeconds / BUCKETS;
    }

    /** @param port the first listen address's port, in the default state file's name */
    public static LeakSettings from(ConfigValues c, int port) throws UsageException {
        boolean enabled = c.bool(ENABLED);
        double interval = c.duration(SAMPLE_INTERVAL);
        double window = c.duration(WINDOW);
        if (interval < 1 || interval > 3600) {
            throw new UsageException(SAMPLE_INTERVAL + ": '" + CommandLine.printable(c.string(SAMPLE_INTERVAL))
                    + "' must be between 1s and 1h");
        }
        if (window < 10 * interval || window > 366 * 86400.0) {
            throw new UsageException(WINDOW + ": '" + CommandLine.printable(c.string(WINDOW))
                    + "' must be at least 10 sample intervals (" + (long) (10 * interval) + "s) and at most 366d");
        }
        double minGrowth = c.rate(MIN_GROWTH, true);
        double minHandles = c.rate(MIN_HANDLE_GROWTH, false);
        String file = c.string(STATE_FILE).trim();
        if (!file.equals("auto")) {
            return new LeakSettings(enabled, interval, window, file.isEmpty() ? null : Path.of(file), minGrowth, minHandles, null);
        }
        // one file per port, so two instances on one host keep two histories
        Path dir = stateDirectory();
        return new LeakSettings(enabled, interval, window, dir.resolve("leak-state-" + port + ".json"), minGrowth, minHandles,
                dir.resolve(OLDER_DEFAULT_NAME));
    }

    /** The platform's per-user state directory, for --leak.state-file=auto. */
    static Path stateDirectory() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String home = System.getProperty("user.home", ".");
        Path dir;
        if (os.contains("win")) {
            String local = System.getenv("LOCALAPPDATA");
            dir = Path.of(local != null && !local.isEmpty() ? local : home, "leakwatch");
        } else if (os.contains("mac")) {
            dir = Path.of(home, "Library", "Application Support", "leakwatch");
        } else {
            String xdg = System.getenv("XDG_STATE_HOME");
            dir = xdg != null && xdg.startsWith("/") ? Path.of(xdg, "leakwatch") : Path.of(home, ".local", "state", "leakwatch");
        }
        return dir;
    }
}
