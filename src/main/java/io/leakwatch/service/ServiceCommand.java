package io.leakwatch.service;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigFiles;
import io.leakwatch.config.UsageException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code leakwatch service install [flags…] | uninstall | start | stop} (and {@code run}, which
 * the Service Control Manager starts). Argument checking and building are here, in plain Java;
 * the SCM calls are behind {@link ServiceControl}.
 */
public final class ServiceCommand {
    public static final String NAME = "service";
    private static final String USAGE =
            "usage: leakwatch service install [--service.jvm-option=<option>]... [<flags>] | uninstall | start | stop";
    /** Install-only option: one extra JVM option for the service's java.exe (repeat for several). */
    static final String JVM_OPTION = "--service.jvm-option";

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

        /** JNA's folder name for this Windows and Java (win32-x86-64, win32-aarch64). */
        String jnaPlatform();

        /**
         * Accounts other than administrators that may change {@code path} (empty when none, or
         * when the path does not exist or its permissions cannot be read).
         */
        List<String> writersOtherThanAdministrators(String path);
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
                case "install" -> {
                    List<String> jvmOptions = new ArrayList<>();
                    List<String> flags = serviceFlags(jvmOptions(rest, jvmOptions), env.workingDirectory(), exporterFlags);
                    String configFile = exporterFlags.configFile(flags);
                    String logFile = ServiceLog.path(configFile, env.jar());
                    ServiceDefinition definition = ServiceDefinition.of(env.javaExecutable(), env.jar(),
                            env.jnaPlatform(), jvmOptions, flags, logFile);
                    control.install(definition);
                    out.println("installed service '" + definition.name()
                            + "' (automatic start, restarts after the first three failures of a day)");
                    out.println("  command: " + definition.commandLine());
                    out.println("  log:     " + logFile);
                    warnAboutWritableFiles(env, configFile, err);
                    out.println("start it now with: leakwatch service start");
                }
                case "uninstall" -> {
                    control.uninstall(ServiceDefinition.NAME);
                    out.println("removed service '" + ServiceDefinition.NAME + "'");
                }
                case "start" -> {
                    control.start(ServiceDefinition.NAME);
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
            err.println("leakwatch: " + e.getMessage());
            return UsageException.EXIT_CODE;
        } catch (ServiceControl.ServiceException e) {
            err.println("leakwatch: service " + action + ": " + e.getMessage());
            return e.win32Error() == ServiceErrors.ACCESS_DENIED ? UsageException.EXIT_CODE : 1;
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

    /** Takes the {@code --service.jvm-option} options out of {@code args} into {@code jvmOptions}. */
    static List<String> jvmOptions(List<String> args, List<String> jvmOptions) throws UsageException {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String option;
            if (arg.equals(JVM_OPTION)) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(JVM_OPTION + " needs a value, e.g. " + JVM_OPTION + "=-Xmx128m");
                }
                option = args.get(++i);
            } else if (arg.startsWith(JVM_OPTION + "=")) {
                option = arg.substring(JVM_OPTION.length() + 1);
            } else {
                rest.add(arg);
                continue;
            }
            if (!option.startsWith("-") || List.of("-jar", "-cp", "-classpath", "--class-path", "-m", "--module")
                    .contains(option)) {
                throw new UsageException(JVM_OPTION + ": '" + CommandLine.printable(option)
                        + "' is not a JVM option (they start with -, e.g. -Xmx128m)");
            }
            jvmOptions.add(option);
        }
        return rest;
    }

    /**
     * The service runs as LocalSystem: whoever can change its jar, its JNA library, its Java
     * runtime or its config file can make it run their code or change what it does. Warns, one
     * line per file, when anyone but administrators may.
     */
    static void warnAboutWritableFiles(Environment env, String configFile, PrintStream err) {
        String jar = env.jar();
        String jna = WindowsPaths.sibling(jar, ServiceDefinition.JNA_DIRECTORY);
        String jnaLibrary = ServiceDefinition.jnaLibraryDirectory(jar, env.jnaPlatform());
        String javaHome = WindowsPaths.parent(WindowsPaths.parent(env.javaExecutable()));
        List<String> paths = new ArrayList<>(List.of(jar, WindowsPaths.parent(jar),
                WindowsPaths.parent(WindowsPaths.parent(jar)), jna, jnaLibrary,
                jnaLibrary + "\\jnidispatch.dll", javaHome, WindowsPaths.parent(javaHome),
                javaHome + "\\bin", env.javaExecutable(), javaHome + "\\bin\\server", javaHome + "\\lib"));
        paths.add(configFile); // "" without one: skipped below
        for (String path : paths) {
            if (path.isEmpty()) {
                continue;
            }
            List<String> writers = env.writersOtherThanAdministrators(path);
            if (!writers.isEmpty()) {
                err.println("leakwatch: warning: " + path + " can be changed by " + String.join(", ", writers)
                        + ", not only by administrators; the service runs as LocalSystem, so they could make it run"
                        + " their code. Install under C:\\Program Files or remove their write access.");
            }
        }
    }

    /**
     * Checks the flags as leakwatch would at service start (so mistakes show now, at the prompt)
     * and makes {@code --config.file} absolute: a service starts in C:\Windows\System32.
     */
    static List<String> serviceFlags(List<String> flags, Path workingDirectory, ExporterFlags exporterFlags) throws UsageException {
        List<String> absolute = new ArrayList<>();
        for (int i = 0; i < flags.size(); i++) {
            String flag = flags.get(i);
            String prefix = ConfigFiles.FLAG.toString();
            if (flag.equals(prefix) && i + 1 < flags.size()) {
                absolute.add(flag);
                absolute.add(absolutePath(flags.get(++i), workingDirectory));
            } else if (flag.startsWith(prefix + "=")) {
                absolute.add(prefix + "=" + absolutePath(flag.substring(prefix.length() + 1), workingDirectory));
            } else {
                absolute.add(flag);
            }
        }
        CommandLine cli = exporterFlags.parse(absolute);
        if (cli.action() != CommandLine.Action.RUN) {
            throw new UsageException("service install: --help and --version are not service flags");
        }
        exporterFlags.check(cli); // everything a start checks, web config and certificates included
        return List.copyOf(absolute);
    }

    private static String absolutePath(String file, Path workingDirectory) {
        if (file.isEmpty() || file.startsWith("\\\\") || file.matches("^[A-Za-z]:[\\\\/].*") || file.startsWith("/")) {
            return file;
        }
        return workingDirectory.resolve(file).toAbsolutePath().normalize().toString();
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
        public String jnaPlatform() {
            return com.sun.jna.Platform.RESOURCE_PREFIX;
        }

        @Override
        public List<String> writersOtherThanAdministrators(String path) {
            return FileAcls.writersOtherThanAdministrators(path);
        }
    }
}
