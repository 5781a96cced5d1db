package io.leakwatch;

import io.leakwatch.backend.Backends;
import io.leakwatch.common.Version;
import io.leakwatch.config.CommandLine;
import io.leakwatch.config.UsageException;
import io.leakwatch.logging.Logging;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code leakwatch diagnose [flags]}: one pass over every native call (Windows) or procfs file
 * (Linux) the backend uses, printed as plain lines to paste into an issue. The flags are the
 * exporter's ({@code --path.procfs}, {@code --collector.process.cmdline}, {@code --log.level=debug}
 * for a line per call on stderr).
 */
final class DiagnoseCommand {
    static final String NAME = "diagnose";

    private DiagnoseCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            CommandLine cli = Settings.commandLine(args);
            if (cli.action() != CommandLine.Action.RUN) {
                out.println("usage: leakwatch diagnose [<flags>]   (the exporter's flags; see leakwatch --help)");
                return 0;
            }
            settings = Settings.load(cli, Map.of());
        } catch (UsageException e) {
            err.println("leakwatch: " + e.getMessage());
            return UsageException.EXIT_CODE;
        }
        // the report goes to stdout; debug lines of the native layer go to the log, never between its lines
        try {
            Logging.configure(settings.log().level(), settings.log().format(), settings.log().target().awayFromStdout());
        } catch (IllegalStateException e) {
            err.println("leakwatch: " + e.getMessage());
            return UsageException.EXIT_CODE;
        }
        String os = System.getProperty("os.name", "");
        out.println("leakwatch " + Version.VERSION + " diagnose: " + os + " " + System.getProperty("os.version", "")
                + " " + System.getProperty("os.arch", "") + ", Java " + System.getProperty("java.version", "")
                + " (" + System.getProperty("java.vm.name", "") + "), pid " + ProcessHandle.current().pid());
        Backends.diagnose(settings.process(), ProcessHandle.current().pid()).forEach(out::println);
        return 0;
    }
}
