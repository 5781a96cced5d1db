package io.leakwatch.service;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.ConfigFiles;
import io.leakwatch.config.ConfigValues;
import io.leakwatch.config.Flag;
import io.leakwatch.config.UsageException;

import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code leakwatch service install}: checks the flags as a start would, picks and checks the Java,
 * registers the service, and opens the firewall when asked to. Its own options come before or
 * among the flags and are not passed to the service:
 * {@code --service.jvm-option=<option>} (repeatable), {@code --service.firewall[=<remote addresses>]},
 * and {@code --service.installer}, which the MSI gives (no prompt folder, errors to the event log).
 */
final class ServiceInstall {
    /** One extra JVM option for the service's java.exe (repeat for several). */
    static final String JVM_OPTION = "--service.jvm-option";
    /** Open the listen ports in Windows Firewall, from the given remote addresses (or any). */
    static final String FIREWALL = "--service.firewall";
    /** Run by the MSI: relative paths cannot be made absolute, and what fails goes to the event log too. */
    static final String INSTALLER = "--service.installer";

    /**
     * @param jvmOptions the user's extra JVM options
     * @param firewall   the remote addresses to open the firewall to ("" for any), or null for no rule
     * @param installer  run by the MSI
     * @param flags      everything else: the service's flags
     */
    record Options(List<String> jvmOptions, String firewall, boolean installer, List<String> flags) {
        static Options parse(List<String> args) throws UsageException {
            List<String> jvmOptions = new ArrayList<>();
            List<String> flags = new ArrayList<>();
            String firewall = null;
            boolean installer = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals(INSTALLER)) {
                    installer = true;
                } else if (arg.equals(FIREWALL)) {
                    // the MSI passes REMOTE_ADDR as the next argument, "" when it is empty
                    firewall = i + 1 < args.size() && !args.get(i + 1).startsWith("--") ? args.get(++i) : "";
                } else if (arg.startsWith(FIREWALL + "=")) {
                    firewall = arg.substring(FIREWALL.length() + 1);
                } else if (arg.equals(JVM_OPTION) || arg.startsWith(JVM_OPTION + "=")) {
                    String option;
                    if (arg.equals(JVM_OPTION)) {
                        if (i + 1 >= args.size()) {
                            throw new UsageException(JVM_OPTION + " needs a value, e.g. " + JVM_OPTION + "=-Xmx128m");
                        }
                        option = args.get(++i);
                    } else {
                        option = arg.substring(JVM_OPTION.length() + 1);
                    }
                    if (!option.startsWith("-") || List.of("-jar", "-cp", "-classpath", "--class-path", "-m", "--module")
                            .contains(option)) {
                        throw new UsageException(JVM_OPTION + ": '" + CommandLine.printable(option)
                                + "' is not a JVM option (they start with -, e.g. -Xmx128m)");
                    }
                    jvmOptions.add(option);
                } else {
                    flags.add(arg);
                }
            }
            if (firewall != null && !firewall.matches("[0-9A-Za-z.:/,\\- ]*")) {
                throw new UsageException(FIREWALL + ": '" + CommandLine.printable(firewall)
                        + "' is not a list of remote addresses (e.g. 10.0.0.5,10.1.0.0/16)");
            }
            return new Options(List.copyOf(jvmOptions), firewall, installer, List.copyOf(flags));
        }
    }

    private ServiceInstall() {
    }

    static void install(List<String> args, PrintStream out, PrintStream err, ServiceCommand.Environment env,
                        ServiceControl control, ExporterFlags exporterFlags) throws UsageException, ServiceControl.ServiceException {
        Options options = Options.parse(args);
        List<String> flags = serviceFlags(options.flags(), options.installer() ? null : env.workingDirectory(), exporterFlags);
        String configFile = exporterFlags.configFile(flags);
        String logFile = ServiceLog.path(configFile, env.jar());
        String java = ServiceJava.choose(env);
        // the -D value does not change what -version says; the platform comes from the answer
        ServiceJava.Checked checked = ServiceJava.check(env, java,
                ServiceDefinition.jvmArguments(env.jar(), "win32-x86-64", options.jvmOptions(), logFile));
        String dll = ServiceDefinition.jnaLibraryDirectory(env.jar(), checked.platform()) + "\\jnidispatch.dll";
        if (!env.exists(dll)) {
            throw new UsageException("service install: " + dll + " is missing: the service loads JNA's library"
                    + " from there; unzip the whole release (leakwatch.jar and its jna folder) into one folder");
        }
        List<Integer> ports = options.firewall() == null ? List.of() : exporterFlags.listenPorts(exporterFlags.parse(flags));
        ServiceDefinition definition = ServiceDefinition.of(java, env.jar(), checked.platform(), options.jvmOptions(), flags,
                logFile);
        control.install(definition);
        out.println("installed service '" + definition.name()
                + "' (delayed automatic start, restarts after the first three failures of a day)");
        out.println("  command: " + definition.commandLine());
        out.println("  log:     " + logFile);
        if (options.firewall() != null) {
            String failed = Firewall.add(env, java, ports, options.firewall());
            if (failed == null) {
                out.println("  firewall: rule '" + Firewall.RULE + "' lets " + (options.firewall().isBlank() ? "any address"
                        : options.firewall()) + " reach port(s) " + ports);
            } else {
                String line = "leakwatch: warning: the firewall rule could not be added: " + CommandLine.printable(failed);
                err.println(line);
                if (options.installer()) {
                    env.eventLog(line);
                }
            }
        }
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

    /**
     * The service runs as LocalSystem: whoever can change its jar, its JNA library, its Java
     * runtime or its config file can make it run their code or change what it does. Warns, one
     * line per file, when anyone but administrators may.
     */
    static void warnAboutWritableFiles(ServiceCommand.Environment env, String java, String jnaPlatform, String configFile, PrintStream err) {
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
     * With no {@code workingDirectory} (the MSI's run), a relative path is refused instead.
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
                if (workingDirectory == null && !isAbsolute(value)) {
                    bad.add(new UsageException(flag + ": '" + CommandLine.printable(value) + "' must be a full path"
                            + " (C:\\...): the installer has no folder to take it from"));
                    return value;
                }
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
}
