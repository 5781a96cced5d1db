package io.leakwatch.service;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigFiles;
import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

        /**
         * Accounts other than administrators that may change {@code path} (empty when none, or
         * when the path does not exist or its permissions cannot be read).
         */
        List<String> writersOtherThanAdministrators(String path);

        /** True when the file exists. */
        boolean exists(String path);

        /** Runs a program to its end (bounded in time) and returns its exit code and output, stderr included. */
        ProcessOutput run(List<String> command) throws IOException;
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
                    String java = ServiceJava.choose(env);
                    // the -D value does not change what -version says; the platform comes from the answer
                    ServiceJava.Checked checked = ServiceJava.check(env, java,
                            ServiceDefinition.jvmArguments(env.jar(), "win32-x86-64", jvmOptions, logFile));
                    String dll = ServiceDefinition.jnaLibraryDirectory(env.jar(), checked.platform()) + "\\jnidispatch.dll";
                    if (!env.exists(dll)) {
                        throw new UsageException("service install: " + dll + " is missing: the service loads JNA's library"
                                + " from there; unzip the whole release (leakwatch.jar and its jna folder) into one folder");
                    }
                    ServiceDefinition definition = ServiceDefinition.of(java, env.jar(), checked.platform(), jvmOptions, flags,
                            logFile);
                    control.install(definition);
                    out.println("installed service '" + definition.name()
                            + "' (delayed automatic start, restarts after the first three failures of a day)");
                    out.println("  command: " + definition.commandLine());
                    out.println("  log:     " + logFile);
                    String versioned = ServiceJava.versionedFolder(java);
                    if (versioned != null) {
                        err.println("leakwatch: warning: the service runs the Java in " + versioned + ", a folder named for"
                                + " one Java version: an update of that Java installs into a new folder and removes this one,"
                                + " and the service then fails to start (Win32 error 2). Put a Java runtime in "
                                + WindowsPaths.sibling(env.jar(), ServiceJava.JRE_DIRECTORY)
                                + " (the service prefers it), or install the service again after each Java update.");
                    }
                    warnAboutWritableFiles(env, java, checked.platform(), configFile, err);
                    out.println("start it now with: leakwatch service start");
                }
                case "uninstall" -> {
                    control.uninstall(ServiceDefinition.NAME);
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
    static void warnAboutWritableFiles(Environment env, String java, String jnaPlatform, String configFile, PrintStream err) {
        String jar = env.jar();
        String jna = WindowsPaths.sibling(jar, ServiceDefinition.JNA_DIRECTORY);
        String jnaLibrary = ServiceDefinition.jnaLibraryDirectory(jar, jnaPlatform);
        String javaHome = WindowsPaths.parent(WindowsPaths.parent(java));
        List<String> paths = new ArrayList<>(List.of(jar, WindowsPaths.parent(jar),
                WindowsPaths.parent(WindowsPaths.parent(jar)), jna, jnaLibrary,
                jnaLibrary + "\\jnidispatch.dll", javaHome, WindowsPaths.parent(javaHome),
                javaHome + "\\bin", java, javaHome + "\\bin\\server", javaHome + "\\lib"));
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
     * Checks the flags as leakwatch would at service start (so mistakes show now, at the prompt).
     * A service starts in C:\Windows\System32, so every flag that names a file ({@code --config.file},
     * {@code --web.config.file}, {@code --log.file}, {@code --leak.state-file}) is made absolute
     * against the folder install runs in, and a relative path inside the config file is refused
     * with the absolute one to write instead.
     */
    static List<String> serviceFlags(List<String> flags, Path workingDirectory, ExporterFlags exporterFlags) throws UsageException {
        if (exporterFlags.parse(flags).action() != CommandLine.Action.RUN) {
            throw new UsageException("service install: --help and --version are not service flags");
        }
        List<UsageException> bad = new ArrayList<>();
        List<String> absolute = CommandLine.rewriteValues(flags, exporterFlags.set(), (flag, value) -> {
            if (!flag.namesFile(value)) {
                return value;
            }
            try {
                return absolutePath(value, workingDirectory);
            } catch (InvalidPathException e) {
                bad.add(new UsageException(flag + ": '" + CommandLine.printable(value) + "' is not a file path"));
                return value;
            }
        });
        if (!bad.isEmpty()) {
            throw bad.get(0);
        }
        CommandLine cli = exporterFlags.parse(absolute);
        refuseRelativePathsInTheConfigFile(cli, exporterFlags);
        exporterFlags.check(cli); // everything a start checks, web config and certificates included
        return List.copyOf(absolute);
    }

    /** Path flags given on the command line are absolute by now: a relative one comes from the config file. */
    private static void refuseRelativePathsInTheConfigFile(CommandLine cli, ExporterFlags exporterFlags) throws UsageException {
        String configFile = String.valueOf(cli.values().getOrDefault(ConfigFiles.FLAG.name(), ""));
        if (configFile.isEmpty()) {
            return;
        }
        ConfigValues values = ConfigValues.load(cli, Map.of(), exporterFlags.set());
        for (Flag flag : exporterFlags.set().all()) {
            if (flag.kind() != Flag.Kind.PATH || !values.given(flag) || cli.values().containsKey(flag.name())) {
                continue;
            }
            String value = values.string(flag).trim();
            if (flag.namesFile(value) && !isAbsolute(value)) {
                Path folder = Path.of(configFile).toAbsolutePath().getParent();
                throw new UsageException("service install: " + flag.name() + " in " + configFile + " is a relative path ("
                        + CommandLine.printable(value) + "); the service starts in C:\\Windows\\System32, so write it in full,"
                        + " e.g. " + (folder == null ? value : folder.resolve(value).normalize()));
            }
        }
    }

    /** Absolute on Windows (C:\..., C:/..., \\server\share) or on the OS this runs on. */
    static boolean isAbsolute(String path) {
        if (path.matches("^[A-Za-z]:[\\\\/].*") || path.startsWith("\\\\")) {
            return true;
        }
        try {
            return Path.of(path).isAbsolute();
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** @throws InvalidPathException when {@code file} cannot be a path here */
    private static String absolutePath(String file, Path workingDirectory) {
        if (isAbsolute(file)) {
            return file;
        }
        // on Windows, resolve() also takes \file (the working folder's drive) and C:file (that drive's folder)
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
        public boolean exists(String path) {
            try {
                return java.nio.file.Files.exists(Path.of(path));
            } catch (InvalidPathException e) {
                return false;
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
