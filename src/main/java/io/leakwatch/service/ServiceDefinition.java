package io.leakwatch.service;

import java.util.ArrayList;
import java.util.List;

/**
 * The service as registered with the Service Control Manager.
 *
 * @param name        service key name (sc.exe, net start)
 * @param displayName name in services.msc
 * @param description text in services.msc
 * @param commandLine the binary path: java.exe with its options, the jar and {@code service run} with the user's flags
 */
public record ServiceDefinition(String name, String displayName, String description, String commandLine) {
    public static final String NAME = "leakwatch";
    public static final String DISPLAY_NAME = "leakwatch process exporter";
    public static final String DESCRIPTION =
            "Prometheus exporter of per-process metrics (windows_process_*), drop-in for windows_exporter's process collector.";
    /** Folder next to the jar holding JNA's native library per platform (jna\win32-x86-64\jnidispatch.dll). */
    public static final String JNA_DIRECTORY = "jna";
    /**
     * The launchers' small-footprint JVM defaults (src/main/dist/leakwatch and leakwatch.cmd carry
     * the same list; a test keeps the three equal). -XX:+ExitOnOutOfMemoryError: a service out of
     * memory exits, reports nothing, and the SCM's failure actions restart it, instead of a
     * half-dead JVM that still says RUNNING.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "-Xms8m", "-Xmx64m", "-Xmn2m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Xss512k",
            "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=64m", "-XX:MaxDirectMemorySize=16m",
            "-XX:-UsePerfData", "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true");

    /**
     * @param javaExecutable absolute path of java.exe
     * @param jar            absolute path of leakwatch.jar
     * @param jnaPlatform    JNA's folder name for this Windows (win32-x86-64, win32-aarch64)
     * @param jvmOptions     the user's extra JVM options ({@code --service.jvm-option}); they come last, so they win
     * @param flags          leakwatch flags, already validated and with absolute file paths
     * @param logFile        where the service logs ({@link ServiceLog#path})
     */
    public static ServiceDefinition of(String javaExecutable, String jar, String jnaPlatform, List<String> jvmOptions,
                                       List<String> flags, String logFile) {
        List<String> arguments = jvmArguments(jar, jnaPlatform, jvmOptions, logFile);
        arguments.add("-jar");
        arguments.add(jar);
        arguments.add(ServiceCommand.NAME);
        arguments.add("run");
        arguments.addAll(flags);
        return new ServiceDefinition(NAME, DISPLAY_NAME, DESCRIPTION, WindowsCommandLine.of(javaExecutable, arguments));
    }

    /** The options java.exe gets before {@code -jar}: the defaults, then the service's own, then the user's. */
    static List<String> jvmArguments(String jar, String jnaPlatform, List<String> jvmOptions, String logFile) {
        String logDirectory = WindowsPaths.parent(logFile);
        List<String> arguments = new ArrayList<>();
        // -Xrs: HotSpot must not turn the console's CTRL_SHUTDOWN_EVENT into a SIGTERM that races the
        // SCM's own SHUTDOWN; the SCM's controls are the only way this JVM is told to stop.
        arguments.add("-Xrs");
        arguments.addAll(DEFAULT_JVM_OPTIONS);
        // A crash report goes next to the log, not into C:\Windows\System32 (the service's working directory).
        arguments.add("-XX:ErrorFile=" + (logDirectory.isEmpty() ? "" : logDirectory + "\\") + "hs_err_pid%p.log");
        // JNA loads the DLL shipped next to the jar (an administrators-only folder) and never unpacks one
        // into a temp folder that other users can write to.
        arguments.add("-Djna.boot.library.path=" + jnaLibraryDirectory(jar, jnaPlatform));
        arguments.add("-Djna.nounpack=true");
        arguments.addAll(jvmOptions);
        return arguments;
    }

    /** @return the folder of JNA's native library for {@code jnaPlatform}, next to the jar (jna\win32-x86-64) */
    static String jnaLibraryDirectory(String jar, String jnaPlatform) {
        return WindowsPaths.sibling(jar, JNA_DIRECTORY) + "\\" + jnaPlatform;
    }
}
