package io.leakwatch.service;

import java.util.ArrayList;
import java.util.List;

/**
 * The service as registered with the Service Control Manager.
 *
 * @param name        service key name (sc.exe, net start)
 * @param displayName name in services.msc
 * @param description text in services.msc
 * @param commandLine the binary path: java.exe, the jar and {@code service run} with the user's flags
 */
public record ServiceDefinition(String name, String displayName, String description, String commandLine) {
    public static final String NAME = "leakwatch";
    public static final String DISPLAY_NAME = "leakwatch process exporter";
    public static final String DESCRIPTION =
            "Prometheus exporter of per-process metrics (windows_process_*), drop-in for windows_exporter's process collector.";
    /** Where JNA unpacks its DLL: next to the jar, so a service account needs no profile temp directory. */
    public static final String JNA_DIRECTORY = "jna";

    /**
     * @param javaExecutable absolute path of java.exe
     * @param jar            absolute path of leakwatch.jar
     * @param flags          leakwatch flags, already validated and with absolute file paths
     */
    public static ServiceDefinition of(String javaExecutable, String jar, List<String> flags) {
        List<String> arguments = new ArrayList<>();
        arguments.add("-Djna.tmpdir=" + WindowsPaths.sibling(jar, JNA_DIRECTORY));
        arguments.add("-jar");
        arguments.add(jar);
        arguments.add(ServiceCommand.NAME);
        arguments.add("run");
        arguments.addAll(flags);
        return new ServiceDefinition(NAME, DISPLAY_NAME, DESCRIPTION, WindowsCommandLine.of(javaExecutable, arguments));
    }
}
