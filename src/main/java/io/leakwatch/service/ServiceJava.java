package io.leakwatch.service;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.UsageException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which Java the service runs, and whether it will start: what fails before leakwatch's own code
 * runs (an option java.exe refuses, a 32-bit or old Java, a Java folder that an update removes)
 * leaves no trace once it runs as a service, so install finds out first.
 */
final class ServiceJava {
    static final int MIN_VERSION = 17;
    /** A runtime of the install's own, next to leakwatch.jar (the release with Java inside ships one). */
    static final String JRE_DIRECTORY = "jre";
    /** A folder name with a version beyond the major one: jdk-17.0.9.9-hotspot, jdk17.0.13_11. */
    private static final Pattern VERSIONED = Pattern.compile(".*\\d+\\.\\d+.*");
    private static final Pattern PROPERTY = Pattern.compile("^\\s+([\\w.]+) = (.*)$");
    /** What java.exe adds to every start failure: it says nothing about the cause. */
    private static final List<String> GENERIC = List.of("Error: Could not create the Java Virtual Machine.",
            "Error: A fatal exception has occurred. Program will exit.");

    /**
     * @param platform JNA's folder for the Java's architecture (win32-x86-64, win32-aarch64)
     * @param version  its Java version (java.specification.version)
     */
    record Checked(String platform, int version) {
    }

    private ServiceJava() {
    }

    /** The jre folder next to the jar when it has a java.exe, else the Java that runs install. */
    static String choose(ServiceCommand.Environment env) {
        String bundled = bundled(env.jar());
        return env.exists(bundled) ? bundled : env.javaExecutable();
    }

    static String bundled(String jar) {
        return WindowsPaths.sibling(jar, JRE_DIRECTORY) + "\\bin\\java.exe";
    }

    /**
     * Runs {@code java} with every option the service will give it, then -version, as the service's
     * start would run it, and reads what it is.
     *
     * @throws UsageException when it does not start with those options, or is not a 64-bit Java 17+
     */
    static Checked check(ServiceCommand.Environment env, String java, List<String> jvmArguments) throws UsageException {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmArguments);
        command.add("-XshowSettings:properties");
        command.add("-version");
        ServiceCommand.ProcessOutput result;
        try {
            result = env.run(command);
        } catch (IOException e) {
            throw new UsageException("service install: cannot run " + java + ": " + CommandLine.printable(String.valueOf(e.getMessage())));
        }
        if (result.exitCode() != 0) {
            throw new UsageException("service install: " + java + " does not start with the service's options: "
                    + reason(result.output()) + " (check the --service.jvm-option values)");
        }
        Map<String, String> properties = properties(result.output());
        String bits = properties.getOrDefault("sun.arch.data.model", "");
        String arch = properties.getOrDefault("os.arch", "");
        int version = version(properties.getOrDefault("java.specification.version", ""));
        String wanted = "; the service needs a 64-bit Java " + MIN_VERSION + " or newer (put one in "
                + WindowsPaths.sibling(env.jar(), JRE_DIRECTORY) + ", or run install with it)";
        if (!bits.equals("64")) {
            throw new UsageException("service install: " + java + " is a " + (bits.isEmpty() ? "?" : bits) + "-bit Java" + wanted);
        }
        if (version < MIN_VERSION) {
            throw new UsageException("service install: " + java + " is Java " + (version < 0 ? "?" : version) + wanted);
        }
        String platform = switch (arch) {
            case "amd64", "x86_64" -> "win32-x86-64";
            case "aarch64", "arm64" -> "win32-aarch64";
            default -> throw new UsageException("service install: " + java + " is a Java for '" + CommandLine.printable(arch)
                    + "', which leakwatch has no JNA library for (x64 and arm64 only)");
        };
        return new Checked(platform, version);
    }

    /**
     * The registered command's Java with its options, to -version: what java.exe said when the
     * service's start ended before leakwatch ran (Win32 error 1067), which nobody saw.
     */
    static String again(ServiceCommand.Environment env, String registered) {
        List<String> argv = WindowsCommandLine.split(registered);
        int jar = argv.indexOf("-jar");
        List<String> command = new ArrayList<>(argv.subList(0, jar < 0 ? argv.size() : jar));
        command.add("-version");
        try {
            ServiceCommand.ProcessOutput result = env.run(command);
            return result.exitCode() != 0 ? "Java says: " + reason(result.output())
                    : "its Java starts with the service's options now: leakwatch.log and the Application event log say what"
                    + " happened after";
        } catch (IOException e) {
            return "its Java cannot be run: " + CommandLine.printable(String.valueOf(e.getMessage()));
        }
    }

    /**
     * @return the Java folder when its name carries a version beyond the major one: Temurin,
     * Microsoft and Corretto install each update in a new such folder and remove the old one, and
     * the service's next start then fails with "file not found"; else null
     */
    static String versionedFolder(String java) {
        String home = WindowsPaths.parent(WindowsPaths.parent(java));
        String name = home.substring(Math.max(home.lastIndexOf('\\'), home.lastIndexOf('/')) + 1);
        return VERSIONED.matcher(name).matches() ? home : null;
    }

    static Map<String, String> properties(String output) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String line : output.split("\\R")) {
            Matcher m = PROPERTY.matcher(line);
            if (m.matches()) {
                properties.putIfAbsent(m.group(1), m.group(2).trim());
            }
        }
        return properties;
    }

    /** "17", "21", and before Java 9 "1.8": the major version, or -1. */
    private static int version(String text) {
        String major = text.startsWith("1.") ? text.substring(2) : text;
        int dot = major.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? major : major.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Java's own words, one line: its error lines without the two it adds to every failure. */
    private static String reason(String output) {
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\\R")) {
            String l = line.trim();
            if (!l.isEmpty() && !GENERIC.contains(l)) {
                lines.add(l);
            }
        }
        String text = lines.isEmpty() ? "it exited without saying why" : String.join(": ", lines.subList(0, Math.min(3, lines.size())));
        text = CommandLine.printable(text);
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
