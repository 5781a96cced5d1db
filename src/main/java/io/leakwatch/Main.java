package io.leakwatch;

import io.leakwatch.backend.ProcessSettings;
import io.leakwatch.common.Version;
import io.leakwatch.config.CollectorSelection;
import io.leakwatch.config.CommandLine;
import io.leakwatch.config.Flag;
import io.leakwatch.config.FlagSet;
import io.leakwatch.config.UsageException;
import io.leakwatch.http.ExporterServer;
import io.leakwatch.http.ListenAddress;
import io.leakwatch.logging.Logging;
import io.leakwatch.service.ExporterFlags;
import io.leakwatch.service.ServiceBody;
import io.leakwatch.service.ServiceCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Entry point. Exit codes: 0 normal stop, 2 bad flags/config or an address that cannot be bound,
 * 3 out of memory (the JVM itself, under the launcher's -XX:+ExitOnOutOfMemoryError),
 * 1 an unexpected failure.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // java.exe on Windows expands unquoted * and ? in arguments against the current folder
        int code = run(LauncherWildcards.restore(Arrays.asList(args)), System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Stops what {@link #run} started; set once the server listens. */
    private static final AtomicReference<Runnable> STOP = new AtomicReference<>(() -> { });

    /** Stops what {@link #run} started last, as a signal would (the build's {@link ArchiveTraining} run). */
    static void stop() {
        STOP.get().run();
    }

    /** Starts leakwatch and returns only on a startup error (the server keeps the JVM alive). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return run(args, out, err, Map.of(), true);
    }

    /**
     * @param defaults      defaults of this way of running ({@link Settings#SERVICE_DEFAULTS} for the service)
     * @param handleSignals false for the Windows service: the SCM's controls alone stop it (its JVM
     *                      runs with -Xrs), so a console event can never exit it behind the SCM's back
     */
    static int run(List<String> args, PrintStream out, PrintStream err, Map<String, Object> defaults, boolean handleSignals) {
        if (!args.isEmpty() && args.get(0).equals(DiagnoseCommand.NAME)) {
            return DiagnoseCommand.run(args.subList(1, args.size()), out, err);
        }
        if (!args.isEmpty() && args.get(0).equals(BacktestCommand.NAME)) {
            return BacktestCommand.run(args.subList(1, args.size()), out, err);
        }
        if (!args.isEmpty() && args.get(0).equals(ServiceCommand.NAME)) {
            return ServiceCommand.run(args.subList(1, args.size()), out, err, ServiceCommand.thisMachine(), Main::serviceBody,
                    SERVICE_FLAGS);
        }
        Settings settings;
        try {
            CommandLine cli = Settings.commandLine(args);
            if (cli.action() == CommandLine.Action.HELP) {
                printHelp(out);
                return 0;
            }
            if (cli.action() == CommandLine.Action.VERSION) {
                out.println("leakwatch " + Version.VERSION);
                return 0;
            }
            settings = Settings.load(cli, defaults);
        } catch (UsageException e) {
            err.println("leakwatch: " + e.getMessage());
            return UsageException.EXIT_CODE;
        }
        try {
            Logging.configure(settings.log().level(), settings.log().format(), settings.log().target());
        } catch (IllegalStateException e) {
            err.println("leakwatch: " + e.getMessage());
            return UsageException.EXIT_CODE;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        for (String warning : settings.warnings()) {
            log.warn(warning); // a loop, not forEach: the log's source is this line, not the JDK's
        }
        String archiveNotice = ClassArchive.unusedNotice(System.getProperty(ClassArchive.PROPERTY),
                System.getProperty("java.vm.info")).orElse(null);
        if (archiveNotice != null) {
            log.warn(archiveNotice);
        }
        // before any server thread starts: on Linux new threads inherit the nice value
        String priority = OwnPriority.apply(settings.self().priority()).orElse(null);
        if (priority != null) {
            log.warn(priority);
        }

        Exporter exporter;
        try {
            exporter = Exporter.start(settings);
        } catch (IllegalArgumentException e) {
            err.println("leakwatch: " + e.getMessage());
            return UsageException.EXIT_CODE;
        } catch (ExporterServer.BindFailure e) {
            err.println("leakwatch: --web.listen-address: cannot listen on " + e.getMessage());
            return UsageException.EXIT_CODE;
        }
        // signals, the service's STOP control and the shutdown hook all close it once
        STOP.set(GracefulShutdown.install(exporter, log, handleSignals));
        if (settings.process().filter().selectsAll()) { // windows_exporter's warning, once its collector is up
            log.atWarn().addKeyValue("collector", CollectorSelection.PROCESS).log(ProcessSettings.NO_FILTER_WARNING);
        }
        log.info("leakwatch {} listening on {} (ports {}), metrics at {}, backend {}", Version.VERSION,
                settings.http().listenAddresses(), exporter.ports(), settings.http().telemetryPath(), exporter.backend().name());
        return 0;
    }

    /** The service installs the exporter's flags and checks them as its start will. */
    public static final ExporterFlags SERVICE_FLAGS = new ExporterFlags() {
        @Override
        public FlagSet set() {
            return Settings.FLAGS;
        }

        @Override
        public void check(CommandLine cli) throws UsageException {
            Settings.load(cli, Settings.SERVICE_DEFAULTS);
        }

        @Override
        public List<Integer> listenPorts(CommandLine cli) throws UsageException {
            return Settings.load(cli, Settings.SERVICE_DEFAULTS).http().listenAddresses().stream()
                    .map(ListenAddress::port).toList();
        }
    };

    /** What the Windows service runs: this same start, and a stop that closes what it started. */
    public static ServiceBody serviceBody(List<String> flags, PrintStream log) {
        return new ServiceBody() {
            @Override
            public int start() {
                return run(flags, log, log, Settings.SERVICE_DEFAULTS, false);
            }

            @Override
            public void stop() {
                STOP.get().run();
            }
        };
    }

    private static final String HELP_INDENT = "          ";
    static final int HELP_WIDTH = 90;

    /** {@code --name=default}, {@code --name=""} when the default is empty, {@code --[no-]name} for a switch. */
    static String usage(Flag flag) {
        if (flag.kind() == Flag.Kind.BOOLEAN) {
            return "--[no-]" + flag.name() + (Boolean.TRUE.equals(flag.defaultValue()) ? " (on by default)" : "");
        }
        return "--" + flag.name() + "=" + (flag.defaultText().isEmpty() ? "\"\"" : flag.defaultText());
    }

    static List<String> helpLines(Flag flag) {
        return wrap(flag.help(), HELP_WIDTH);
    }

    /** Words into lines of at most {@code width} characters (a longer word gets a line of its own). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    static void printHelp(PrintStream out) {
        out.println("usage: leakwatch [<flags>]");
        out.println("       leakwatch service install [--service.jvm-option=<option>]... [<flags>] | uninstall | start | stop   (Windows)");
        out.println("       leakwatch diagnose [<flags>]   what each system call returned, to paste into an issue");
        out.println("       leakwatch backtest [<flags>] FILE... | --prometheus.url=URL   when leak detection would have named a leak "
                + "in a recorded history (leakwatch backtest --help)");
        out.println();
        out.println("Per-process Prometheus exporter, drop-in for windows_exporter's process collector.");
        out.println();
        out.println("Flags:");
        out.println("  -h, --help     Show this help.");
        out.println("      --version  Show the version.");
        for (Flag flag : Settings.FLAGS.all()) {
            // kingpin's layout, as windows_exporter prints it: the flag with its default, then its help below
            out.println("      " + usage(flag));
            helpLines(flag).forEach(line -> out.println(HELP_INDENT + line));
        }
    }
}
