package io.leakwatch.service;

import com.sun.jna.platform.win32.WinNT;
import io.leakwatch.config.UsageException;
import io.leakwatch.logging.LogSettings;
import io.leakwatch.logging.WindowsEventLog;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code leakwatch service install [flags…] | uninstall | start | stop} (and {@code run}, which
 * the Service Control Manager starts). Argument checking and building are here, in plain Java;
 * the SCM calls are behind {@link ServiceControl}.
 */
public final class ServiceCommand {
    public static final String NAME = "service";
    static final String USAGE = "usage: leakwatch service install [--service.jvm-option=<option>]..."
            + " [--service.firewall[=<remote addresses>]] [<flags>] | uninstall | start | stop";

    /** What the command needs from the machine; tests replace it. */
    public interface Environment {
        boolean isWindows();

        /** Absolute path of java.exe running us. */
        String javaExecutable();

        /** Absolute path of leakwatch.jar. */
        String jar();

        /** Directory relative file flags resolve against. */
        Path workingDirectory();

        ServiceControl control();

        /** Redirects output to the service log; returns the stream to use as out/err. */
        PrintStream openLog(String path) throws IOException;

        /**
         * Accounts other than administrators that may change {@code path} (empty when none, or
         * when the path does not exist or its permissions cannot be read).
         */
        List<String> writersOtherThanAdministrators(String path);

        /** True when the file exists. */
        boolean exists(String path);

        /** Runs a program to its end (bounded in time) and returns its exit code and output, stderr included. */
        ProcessOutput run(List<String> command) throws IOException;

        /** Windows' System32 folder (netsh.exe is run from there, never found on PATH). */
        String systemDirectory();

        /** Writes one error line to the Application event log (source leakwatch); best effort. */
        void eventLog(String message);
    }

    /** What a program printed (standard output and error together) and its exit code. */
    public record ProcessOutput(int exitCode, String output) {
    }

    private ServiceCommand() {
    }

    /**
     * @param args what follows "service"
     * @param body what {@code service run} runs once the Service Control Manager has started it
     * @param exporterFlags how the flags given to install are parsed and checked
     */
    public static int run(List<String> args, PrintStream out, PrintStream err, Environment env, ServiceBody.Factory body,
                          ExporterFlags exporterFlags) {
        if (args.isEmpty()) {
            err.println("leakwatch: " + USAGE);
            return UsageException.EXIT_CODE;
        }
        String action = args.get(0);
        List<String> rest = args.subList(1, args.size());
        boolean installer = action.equals("install") && rest.contains(ServiceInstall.INSTALLER);
        try {
            if (!List.of("install", "uninstall", "start", "stop", "run").contains(action)) {
                throw new UsageException("service: unknown action '" + action + "'; " + USAGE);
            }
            if (!env.isWindows()) {
                throw new UsageException("service: Windows services exist only on Windows (on Linux, run leakwatch under systemd)");
            }
            if (!action.equals("install") && !action.equals("run") && !rest.isEmpty()) {
                throw new UsageException("service " + action + " takes no flags (flags belong to 'service install')");
            }
            ServiceControl control = env.control();
            switch (action) {
                case "install" -> ServiceInstall.install(rest, out, err, env, control, exporterFlags);
                case "uninstall" -> {
                    control.uninstall(ServiceDefinition.NAME);
                    Firewall.remove(env); // a rule that --service.firewall added, if any
                    out.println("removed service '" + ServiceDefinition.NAME + "'");
                }
                case "start" -> {
                    try {
                        control.start(ServiceDefinition.NAME);
                    } catch (ServiceControl.ServiceException e) {
                        if (e.win32Error() != ServiceErrors.PROCESS_ABORTED) {
                            throw e;
                        }
                        throw new ServiceControl.ServiceException(ServiceErrors.javaEnded() + "; "
                                + ServiceJava.again(env, control.commandLine(ServiceDefinition.NAME)), e.win32Error(), true);
                    }
                    out.println("service '" + ServiceDefinition.NAME + "' is running");
                }
                case "stop" -> {
                    control.stop(ServiceDefinition.NAME);
                    out.println("service '" + ServiceDefinition.NAME + "' is stopped");
                }
                default -> {
                    return runAsService(rest, env, control, body, exporterFlags.configFile(rest));
                }
            }
            return 0;
        } catch (UsageException e) {
            refused(err, env, installer, "leakwatch: " + e.getMessage());
            return UsageException.EXIT_CODE;
        } catch (ServiceControl.ServiceException e) {
            refused(err, env, installer, "leakwatch: service " + action + ": " + e.getMessage());
            return e.win32Error() == ServiceErrors.ACCESS_DENIED ? UsageException.EXIT_CODE : 1;
        }
    }

    /** One line for the user; for the MSI, which shows no output of its actions, in the Application event log too. */
    private static void refused(PrintStream err, Environment env, boolean installer, String line) {
        err.println(line);
        if (installer) {
            env.eventLog(line);
        }
    }

    private static int runAsService(List<String> flags, Environment env, ServiceControl control, ServiceBody.Factory body,
                                    String configFile) throws ServiceControl.ServiceException {
        PrintStream log;
        try {
            log = env.openLog(ServiceLog.path(configFile, env.jar()));
        } catch (IOException e) {
            log = System.err; // still run: a log we cannot write is no reason to fail the service
        }
        control.run(ServiceDefinition.NAME, body.create(flags, log));
        return 0;
    }

    /** The machine we run on. */
    public static Environment thisMachine() {
        return new RealEnvironment();
    }

    private static final class RealEnvironment implements Environment {
        @Override
        public boolean isWindows() {
            return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        }

        @Override
        public String javaExecutable() {
            return Path.of(System.getProperty("java.home"), "bin", "java.exe").toString();
        }

        @Override
        public String jar() {
            try {
                return Path.of(ServiceCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            } catch (URISyntaxException | RuntimeException e) {
                throw new IllegalStateException("cannot find leakwatch.jar: " + e.getMessage(), e);
            }
        }

        @Override
        public Path workingDirectory() {
            return Path.of("").toAbsolutePath();
        }

        @Override
        public ServiceControl control() {
            return new WindowsServiceControl();
        }

        @Override
        public PrintStream openLog(String path) throws IOException {
            return ServiceLog.redirect(path);
        }

        @Override
        public boolean exists(String path) {
            try {
                return java.nio.file.Files.exists(Path.of(path));
            } catch (InvalidPathException e) {
                return false;
            }
        }

        @Override
        public String systemDirectory() {
            String root = System.getenv("SystemRoot");
            return (root == null || root.isEmpty() ? "C:\\Windows" : root) + "\\System32";
        }

        @Override
        public void eventLog(String message) {
            try (WindowsEventLog log = WindowsEventLog.open(LogSettings.EVENT_SOURCE)) {
                log.report(WinNT.EVENTLOG_ERROR_TYPE, WindowsEventLog.ERROR_EVENT, message);
            } catch (RuntimeException | LinkageError e) {
                // the message is on standard error as well
            }
        }

        @Override
        public ProcessOutput run(List<String> command) throws IOException {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (java.io.InputStream in = process.getInputStream()) {
                process.getOutputStream().close();
                // a JVM that hangs at start (it should not) is given a minute, then ended
                java.util.concurrent.CompletableFuture<byte[]> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.readNBytes(1 << 16);
                    } catch (IOException e) {
                        return new byte[0];
                    }
                });
                if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException("it did not finish within 60 s");
                }
                return new ProcessOutput(process.exitValue(),
                        new String(output.get(5, java.util.concurrent.TimeUnit.SECONDS), java.nio.charset.Charset.defaultCharset()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IOException("interrupted");
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("its output could not be read");
            }
        }

        @Override
        public List<String> writersOtherThanAdministrators(String path) {
            return FileAcls.writersOtherThanAdministrators(path);
        }
    }
}
