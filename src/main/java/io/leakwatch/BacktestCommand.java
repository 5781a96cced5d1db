package io.leakwatch;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.leakwatch.config.CommandLine;
import io.leakwatch.config.UsageException;
import io.leakwatch.leak.BacktestRun;
import io.leakwatch.logging.Logging;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code leakwatch backtest [flags] [FILE...]}: when would leakwatch have named a leak in a recorded history? Reads
 * Prometheus range-query answers from files, or from a server ({@code --prometheus.url}), replays them through the leak
 * detector with the exporter's own leak flags ({@code --leak.window}, {@code --leak.min-growth}, ...), and prints the
 * verdict changes. Its own flags are parsed here; everything else goes through the exporter's settings.
 */
final class BacktestCommand {
    static final String NAME = "backtest";
    static final String USAGE = """
            usage: leakwatch backtest [--output=table|json] [--host.memory=SIZE] [<leak flags>] FILE...
                   leakwatch backtest --prometheus.url=URL [--selector='{job="windows"}'] [--start=TIME] [--end=TIME] [...]

            Replays recorded windows_process_private_bytes (and windows_process_handles, windows_process_info,
            windows_process_start_time_seconds_timestamp) through leakwatch's leak detection, faster than real time,
            and prints every verdict change. FILE: what Prometheus' /api/v1/query_range answered (JSON).
              --prometheus.url=URL  read from this Prometheus instead of files (user:password@ in it: basic auth)
              --selector=MATCHERS   label matchers for every metric read, e.g. '{instance="web1:9182"}' (default: all)
              --start=TIME          RFC 3339, Unix seconds, or a duration before --end such as 14d (default: 7d)
              --end=TIME            RFC 3339, Unix seconds, or now (default: now)
              --output=FORMAT       table (default: changes to and from suspect) or json (one object a line, every change)
              --host.memory=SIZE    the host's memory (e.g. 16GiB) when the input has no memory metric: the urgent rule
                                    and the time to exhaustion need it
            Leak flags as for the exporter: --leak.window, --leak.sample-interval, --leak.min-growth,
            --leak.min-handle-growth (see leakwatch --help).""";

    private BacktestCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String url = null;
        String selector = "";
        String start = "7d";
        String end = "now";
        String output = "table";
        String memory = null;
        List<Path> files = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        BacktestRun.Input input;
        Settings settings;
        double hostMemory = Double.NaN;
        try {
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("-h") || arg.equals("--help")) {
                    out.println(USAGE);
                    return 0;
                }
                if (!arg.startsWith("-") || arg.equals("-")) {
                    files.add(Path.of(arg));
                    continue;
                }
                String name = arg.contains("=") ? arg.substring(2, arg.indexOf('=')) : arg.substring(2);
                if (!List.of("prometheus.url", "selector", "start", "end", "output", "host.memory").contains(name)) {
                    rest.add(arg);
                    continue;
                }
                String value;
                if (arg.contains("=")) {
                    value = arg.substring(arg.indexOf('=') + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException("flag --" + name + " needs a value");
                }
                switch (name) {
                    case "prometheus.url" -> url = value;
                    case "selector" -> selector = value;
                    case "start" -> start = value;
                    case "end" -> end = value;
                    case "output" -> output = value;
                    default -> memory = value;
                }
            }
            CommandLine cli = Settings.commandLine(rest);
            settings = Settings.load(cli, Map.of());
            if (!output.equals("table") && !output.equals("json")) {
                throw new UsageException("--output: '" + CommandLine.printable(output) + "' must be table or json");
            }
            if (memory != null) {
                hostMemory = size(memory);
            }
            if (url != null) {
                if (!files.isEmpty()) {
                    throw new UsageException("give files or --prometheus.url, not both");
                }
                double endSeconds = time("--end", end, Double.NaN);
                double startSeconds = time("--start", start, endSeconds);
                if (!(startSeconds < endSeconds)) {
                    throw new UsageException("--start must be before --end");
                }
                String s = selector.strip();
                if (!s.isEmpty() && !(s.startsWith("{") && s.endsWith("}")) || s.contains("\n")) {
                    throw new UsageException("--selector: '" + CommandLine.printable(selector)
                            + "' must be label matchers in braces, e.g. '{instance=\"web1:9182\"}'");
                }
                input = new BacktestRun.Server(url(url), s, startSeconds, endSeconds);
            } else {
                if (files.isEmpty()) {
                    throw new UsageException("give one or more files (what /api/v1/query_range answered), or --prometheus.url "
                            + "(see leakwatch backtest --help)");
                }
                input = new BacktestRun.Files(files);
            }
        } catch (UsageException e) {
            err.println("leakwatch backtest: " + e.getMessage());
            return UsageException.EXIT_CODE;
        }
        // the output goes to stdout; log lines (the detector's verdicts are not logged in a backtest) never between its lines
        try {
            Logging.configure(settings.log().level(), settings.log().format(), settings.log().target().awayFromStdout());
        } catch (IllegalStateException e) {
            err.println("leakwatch backtest: " + e.getMessage());
            return UsageException.EXIT_CODE;
        }
        try {
            BacktestRun.run(input, settings.leak(), hostMemory, output.equals("json") ? BacktestRun.Format.JSON
                    : BacktestRun.Format.TABLE, out, err);
            return 0;
        } catch (IOException | UncheckedIOException e) {
            err.println("leakwatch backtest: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return UsageException.EXIT_CODE;
        }
    }

    private static URI url(String text) throws UsageException {
        URI u = null;
        try {
            u = new URI(text.strip());
        } catch (java.net.URISyntaxException e) {
            // below
        }
        if (u == null || u.getScheme() == null || !u.getScheme().matches("https?") || u.getHost() == null) {
            throw new UsageException("--prometheus.url: '" + CommandLine.printable(text) + "' is not an http:// or https:// URL "
                    + "with a host, e.g. http://localhost:9090");
        }
        return u;
    }

    /** RFC 3339, Unix seconds, "now", or (with {@code before}) a duration before it. */
    static double time(String flag, String text, double before) throws UsageException {
        String t = text.strip();
        if (t.equals("now")) {
            return System.currentTimeMillis() / 1000.0;
        }
        if (t.matches("[0-9]+(\\.[0-9]+)?")) {
            return Double.parseDouble(t);
        }
        try {
            return OffsetDateTime.parse(t).toInstant().toEpochMilli() / 1000.0;
        } catch (DateTimeParseException e) {
            // a duration, below
        }
        if (!Double.isNaN(before) && t.matches("[0-9]+(\\.[0-9]+)?\\s*[a-z]+")) {
            try {
                Duration d = ConfigFactory.parseMap(Map.of("v", t)).getDuration("v");
                return before - d.toMillis() / 1000.0;
            } catch (ConfigException e) {
                // not a duration either
            }
        }
        throw new UsageException(flag + ": '" + CommandLine.printable(text) + "' is not a time: RFC 3339 (2026-11-01T00:00:00Z), "
                + "Unix seconds" + (Double.isNaN(before) ? " or now" : ", or a duration before --end such as 14d"));
    }

    private static double size(String text) throws UsageException {
        try {
            long bytes = ConfigFactory.parseMap(Map.of("v", text.strip())).getBytes("v");
            if (bytes > 0) {
                return bytes;
            }
        } catch (ConfigException e) {
            // below
        }
        throw new UsageException("--host.memory: '" + CommandLine.printable(text) + "' is not a size such as 16GiB");
    }
}
