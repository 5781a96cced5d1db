package io.leakwatch.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

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

    /** Settings with no older state file to read. */
    public LeakSettings(boolean enabled, double sampleIntervalSeconds, double windowSeconds, Path stateFile,
                        double minGrowthBytesPerSecond, double minHandleGrowthPerSecond) {
        this(enabled, sampleIntervalSeconds, windowSeconds, stateFile, minGrowthBytesPerSecond, minHandleGrowthPerSecond, null);
    }

    public double bucketSeconds() {
        return windowSeconds / BUCKETS;
    }

    /** @param port the first listen address's port, in the default state file's name */
    static LeakSettings from(ConfigValues c, int port) throws UsageException {
        boolean enabled = c.bool(Flags.LEAK_ENABLED);
        String intervalText = c.string(Flags.LEAK_SAMPLE_INTERVAL);
        String windowText = c.string(Flags.LEAK_WINDOW);
        double interval = duration(Flags.LEAK_SAMPLE_INTERVAL, intervalText);
        double window = duration(Flags.LEAK_WINDOW, windowText);
        if (interval < 1 || interval > 3600) {
            throw new UsageException("--" + Flags.LEAK_SAMPLE_INTERVAL + ": '" + CommandLine.printable(intervalText)
                    + "' must be between 1s and 1h");
        }
        if (window < 10 * interval || window > 366 * 86400.0) {
            throw new UsageException("--" + Flags.LEAK_WINDOW + ": '" + CommandLine.printable(windowText)
                    + "' must be at least 10 sample intervals (" + (long) (10 * interval) + "s) and at most 366d");
        }
        double minGrowth = rate(Flags.LEAK_MIN_GROWTH, c.string(Flags.LEAK_MIN_GROWTH), true);
        double minHandles = rate(Flags.LEAK_MIN_HANDLE_GROWTH, c.string(Flags.LEAK_MIN_HANDLE_GROWTH), false);
        String file = c.string(Flags.LEAK_STATE_FILE).trim();
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

    /** A duration with a unit (Typesafe Config syntax: 90s, 5m, 24h, 7d); a bare number is refused (it would mean ms). */
    static double duration(String flag, String text) throws UsageException {
        String t = text.trim();
        if (t.isEmpty() || t.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.')) {
            throw new UsageException("--" + flag + ": '" + CommandLine.printable(text) + "' needs a unit, e.g. 90s, 5m, 24h, 7d");
        }
        try {
            Duration d = ConfigFactory.parseMap(Map.of("v", t)).getDuration("v");
            return d.toNanos() / 1e9;
        } catch (ConfigException e) {
            throw new UsageException("--" + flag + ": '" + CommandLine.printable(text) + "' is not a duration like 90s, 5m, 24h, 7d");
        }
    }

    /** "amount/duration": a size (10MiB, 17MB) for bytes or a plain count for handles, per a duration (d, 1h, 30m). */
    static double rate(String flag, String text, boolean bytes) throws UsageException {
        String example = bytes ? "10MiB/d or 1MB/h" : "100/d or 10/h";
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new UsageException("--" + flag + ": '" + CommandLine.printable(text) + "' must be an amount per duration, e.g. " + example);
        }
        String amountText = text.substring(0, slash).trim();
        String per = text.substring(slash + 1).trim();
        double amount;
        try {
            amount = bytes ? ConfigFactory.parseMap(Map.of("v", amountText)).getBytes("v") : Double.parseDouble(amountText);
        } catch (ConfigException | NumberFormatException e) {
            throw new UsageException("--" + flag + ": '" + CommandLine.printable(amountText) + "' is not " + (bytes ? "a size like 10MiB" : "a number")
                    + " (e.g. " + example + ")");
        }
        if (!(amount > 0) || Double.isInfinite(amount)) {
            throw new UsageException("--" + flag + ": '" + CommandLine.printable(text) + "' must be a positive amount per duration, e.g. " + example);
        }
        double seconds = duration(flag, !per.isEmpty() && Character.isDigit(per.charAt(0)) ? per : "1" + per);
        if (seconds <= 0) {
            throw new UsageException("--" + flag + ": '" + CommandLine.printable(text) + "' needs a positive duration, e.g. " + example);
        }
        return amount / seconds;
    }
}
