package io.leakwatch.service;

import io.leakwatch.Main;
import io.leakwatch.config.CommandLine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The MSI that {@code mvn package} builds with wixl: its tables read back with msiinfo, then the
 * package installed and removed by Wine's Windows Installer with a stand-in java.exe (built with
 * MinGW) that records the command line the installer gives it. That is where windows_exporter's
 * installer properties turn into leakwatch's flags, so the test follows them from msiexec's command
 * line to the flags 'service install' receives. Wine runs the installer, the custom actions and the
 * JScript that finds Java; it does not run the JVM, the service or the firewall, which the Windows
 * workflow checks.
 */
@Tag("system")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WindowsInstallerTest {
    private static final Path WINE = Path.of("/usr/lib/wine/wine64");
    private static final Path WINESERVER = Path.of("/usr/lib/wine/wineserver64");
    private static final String MINGW = "x86_64-w64-mingw32-gcc";
    private static final String PROGRAM = "C:\\Program Files\\leakwatch\\";
    /** What msiexec returns for a failed install (ERROR_INSTALL_FAILURE), as a process exit status keeps it: 1603 mod 256. */
    private static final int INSTALL_FAILURE = 1603 % 256;

    @TempDir
    static Path work;
    private static Path msi;
    private static Path prefix;
    private static Path standInJava;

    @BeforeAll
    static void findTheToolsAndThePackage() throws Exception {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("msiinfo", "wixl", "msibuild", MINGW)) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        if (!Files.isExecutable(WINE)) {
            missing.add("wine64");
        }
        if (!missing.isEmpty()) {
            String reason = "not installed: " + missing + " (Debian packages msitools, wixl, wine64, gcc-mingw-w64-x86-64;"
                    + " .ci/run installs them)";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            System.out.println("SKIPPED the Windows installer: " + reason);
            Assumptions.abort(reason);
        }
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            msi = files.filter(p -> p.getFileName().toString().matches("leakwatch-.*-amd64\\.msi")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/leakwatch-*-amd64.msi: the system tier runs after package"));
        }
        Path source = work.resolve("java.c");
        // records its command line, one line, and answers like a Java that starts
        Files.writeString(source, "#include <stdio.h>\n#include <windows.h>\nint main(void) {\n"
                + "  FILE *f = fopen(\"C:\\\\java-args.txt\", \"a\");\n"
                + "  fprintf(f, \"%s\\n\", GetCommandLineA());\n  fclose(f);\n  return 0;\n}\n");
        standInJava = work.resolve("java.exe");
        run(List.of(MINGW, "-o", standInJava.toString(), source.toString()), Map.of(), 120);
    }

    @AfterAll
    static void stopWine() throws Exception {
        if (prefix != null) {
            runForExit(List.of(WINESERVER.toString(), "-k"), wine(), 60); // 1 when none runs any more
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    // ---------------------------------------------------------------- the tables

    /** One table as msiinfo exports it: rows of columns, without the three header lines. */
    private static List<List<String>> table(Path package_, String name) throws Exception {
        String text = run(List.of("msiinfo", "export", package_.toString(), name), Map.of(), 60);
        List<List<String>> rows = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (String line : lines.subList(Math.min(3, lines.size()), lines.size())) {
            rows.add(List.of(line.split("\t", -1)));
        }
        return rows;
    }

    private static Map<String, List<String>> byKey(Path package_, String name) throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (List<String> row : table(package_, name)) {
            out.put(row.get(0), row);
        }
        return out;
    }

    @Test
    @Order(1)
    void thePropertiesAreWindowsExportersWithItsDefaults() throws Exception {
        Map<String, List<String>> properties = byKey(msi, "Property");
        assertEquals("9182", properties.get("LISTEN_PORT").get(1));
        assertEquals("config.yaml", properties.get("CONFIG_FILE").get(1));
        assertEquals("0", properties.get("NOSTART").get(1));
        List<String> secure = List.of(properties.get("SecureCustomProperties").get(1).split(";"));
        assertTrue(secure.containsAll(List.of("ENABLED_COLLECTORS", "LISTEN_ADDR", "LISTEN_PORT", "METRICS_PATH", "EXTRA_FLAGS",
                "CONFIG_FILE", "REMOTE_ADDR", "NOSTART", "JAVA")), "passed from msiexec's command line to the service: " + secure);
        assertEquals("1", properties.get("ALLUSERS").get(1), "a per-machine install");
        assertTrue(run(List.of("msiinfo", "suminfo", msi.toString()), Map.of(), 60).contains("Template: x64;1033"), "a 64-bit package");
    }

    /**
     * The service is registered by 'service install', as LocalSystem, with the properties as flags;
     * the ServiceInstall table stays empty because it can only register a file of the package as
     * the program, and the program is a Java found on the machine. ServiceControl stops and deletes it.
     */
    @Test
    @Order(2)
    void theServiceIsInstalledByServiceInstallAndRemovedByWindowsInstaller() throws Exception {
        assertEquals(List.of(), table(msi, "ServiceInstall"));
        List<String> control = byKey(msi, "ServiceControl").get("LeakwatchService");
        assertEquals("leakwatch", control.get(1));
        // msidbServiceControlEvent: stop (0x2) and delete (0x8) at install, stop (0x20) and delete (0x80) at uninstall
        assertEquals(0x02 | 0x08 | 0x20 | 0x80, Integer.parseInt(control.get(2)));
        assertEquals("1", control.get(4), "waits for the stop");

        Map<String, List<String>> actions = byKey(msi, "CustomAction");
        List<String> install = actions.get("InstallLeakwatchService");
        // 50: an exe named by a property; 0x400 deferred; 0x800 not impersonated (LocalSystem)
        assertEquals(50 | 0x400 | 0x800, Integer.parseInt(install.get(1)));
        assertEquals("LEAKWATCH_JAVA", install.get(2));
        assertEquals("-jar \"[APPLICATIONFOLDER]leakwatch.jar\" service install " + ServiceInstall.INSTALLER
                + " [ConfigFileFlag] [CollectorsFlag] [ListenFlag] [MetricsPathFlag] [FirewallFlag] [ExtraFlags]", install.get(3));
        for (String rollback : List.of("RollbackLeakwatchService", "RollbackFirewallRule")) {
            assertEquals(50 | 0x40 | 0x100 | 0x400 | 0x800, Integer.parseInt(actions.get(rollback).get(1)), rollback + " runs only at rollback");
        }
        assertEquals("advfirewall firewall delete rule name=" + Firewall.RULE, actions.get("RemoveFirewallRule").get(3));
        assertEquals(5 | 0x1000, Integer.parseInt(actions.get("FindJava").get(1)), "JScript in the 64-bit script host");

        Map<String, Integer> order = new LinkedHashMap<>();
        for (List<String> row : table(msi, "InstallExecuteSequence")) {
            order.put(row.get(0), Integer.parseInt(row.get(2)));
        }
        List<String> expected = List.of("FindJava", "LaunchConditions", "CostFinalize", "InstallInitialize", "SetExtraFlags",
                "StopServices", "RemoveFirewallRule", "DeleteServices", "InstallFiles", "WriteRegistryValues",
                "RollbackLeakwatchService", "InstallLeakwatchService", "StartLeakwatchService", "StartServices", "InstallFinalize");
        assertEquals(expected, expected.stream().sorted((a, b) -> order.get(a) - order.get(b)).toList(), order.toString());
        assertTrue(order.get("SetStateFolder") < order.get("RemoveFiles"));

        List<List<String>> launch = table(msi, "LaunchCondition");
        assertTrue(launch.stream().anyMatch(r -> r.get(0).equals("Installed OR LEAKWATCH_JAVA")
                && r.get(1).startsWith("leakwatch needs a 64-bit Java 17 or newer")), launch.toString());
    }

    /** The files the zip has, config.yaml kept across upgrades and removal, what the service writes removed at uninstall. */
    @Test
    @Order(3)
    void theFilesRegistryAndCleanUp() throws Exception {
        Map<String, List<String>> files = byKey(msi, "File");
        assertEquals(List.of("config.yaml", "jnidispatch.dll", "jnidispatch.dll", "leakwatch.cmd", "leakwatch.example.yml",
                "leakwatch.jar"), files.values().stream().map(r -> r.get(2)).sorted().toList());
        Map<String, List<String>> components = byKey(msi, "Component");
        assertEquals(256 | 16 | 128, Integer.parseInt(components.get("C_Config").get(3)), "config.yaml: 64-bit, permanent, never overwritten");
        assertEquals("JNA_X64", components.get("C_JnaX64").get(2));
        Map<String, List<String>> directories = byKey(msi, "Directory");
        assertEquals(List.of("JNA_X64", "JNA", "win32-x86-64"), directories.get("JNA_X64"));
        assertEquals(List.of("APPLICATIONFOLDER", "ProgramFiles64Folder", "leakwatch"), directories.get("APPLICATIONFOLDER"));

        List<List<String>> registry = table(msi, "Registry");
        assertTrue(registry.stream().anyMatch(r -> r.get(2).equals("SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\leakwatch")
                && r.get(3).equals("EventMessageFile") && r.get(4).equals("#%%SystemRoot%\\System32\\EventCreate.exe")),
                "the event source, as REG_EXPAND_SZ: " + registry);

        Map<String, List<String>> remove = byKey(msi, "RemoveFile");
        assertEquals(List.of("ServiceLog", "C_Jar", "leakwatch.log*", "APPLICATIONFOLDER", "2"), remove.get("ServiceLog"));
        assertEquals("leak-state*", remove.get("LeakState").get(2), "leak-state-<port>.json and its temporary files");
        assertEquals("LeakwatchStateFolder", remove.get("LeakState").get(3));
        assertEquals("hs_err_pid*.log", remove.get("CrashFiles").get(2));
    }

    // ---------------------------------------------------------------- Wine's Windows Installer

    private static Map<String, String> wine() {
        return Map.of("WINEPREFIX", prefix.toString(), "WINEDEBUG", "-all");
    }

    /** A fresh Windows (a Wine prefix) per test: nothing installed, no Java. */
    private static void freshWindows(String name) throws Exception {
        if (prefix != null) {
            runForExit(List.of(WINESERVER.toString(), "-k"), wine(), 60); // 1 when none runs any more
        }
        prefix = work.resolve("wine-" + name);
        run(List.of(WINE.toString(), "wineboot", "-i"), wine(), 180);
        run(List.of(WINESERVER.toString(), "-w"), wine(), 180);
    }

    /** A Java home as installers leave it: bin\java.exe (the stand-in) and the release file. */
    private static String javaHome(String windowsPath, String version, String arch) throws IOException {
        Path home = drive(windowsPath);
        Files.createDirectories(home.resolve("bin"));
        Files.copy(standInJava, home.resolve("bin/java.exe"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\nOS_ARCH=\"" + arch
                + "\"\nOS_NAME=\"Windows\"\n");
        return windowsPath;
    }

    private static Path drive(String windowsPath) {
        return prefix.resolve("drive_c").resolve(windowsPath.substring(3).replace('\\', '/'));
    }

    private static void reg(String key, String name, String type, String value) throws Exception {
        run(List.of(WINE.toString(), "reg", "add", key, "/v", name, "/t", type, "/d", value, "/f"), wine(), 60);
    }

    /**
     * Runs msiexec with this command line as a user types it at cmd.exe (from a batch file, so Wine
     * passes it on untouched) and waits for the installer to finish.
     *
     * @return msiexec's exit code, mod 256
     */
    private static int msiexec(String arguments) throws Exception {
        return msiexec(arguments, "-all").code;
    }

    /** @param debug Wine's debug channels (WINEDEBUG): what the installer traces goes to the output */
    private static ProcessResult msiexec(String arguments, String debug) throws Exception {
        Files.deleteIfExists(drive("C:\\msi.log"));
        Path script = work.resolve("msiexec.cmd");
        Files.writeString(script, "@echo off\r\nstart /wait msiexec " + arguments + " /qn /l*v C:\\msi.log\r\nexit /b %ERRORLEVEL%\r\n",
                StandardCharsets.US_ASCII);
        Map<String, String> environment = new LinkedHashMap<>(wine());
        environment.put("WINEDEBUG", debug);
        ProcessResult result = start(List.of(WINE.toString(), "cmd", "/c", "Z:" + script.toString().replace('/', '\\')), environment, 300);
        run(List.of(WINESERVER.toString(), "-w"), wine(), 300);
        return result;
    }

    private static String msiPath() {
        return "Z:" + msi.toAbsolutePath().toString().replace('/', '\\');
    }

    /** The command lines the stand-in java.exe was run with, oldest first. */
    private static List<String> javaRuns() throws IOException {
        Path file = drive("C:\\java-args.txt");
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1) : List.of();
    }

    private static String log() throws IOException {
        Path file = drive("C:\\msi.log");
        return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    }

    /**
     * windows_exporter's properties, as its README shows them, become leakwatch's flags. (Wine's
     * msiexec drops the doubled quotes that Windows' keeps inside a value, so EXTRA_FLAGS here has none.)
     */
    @Test
    @Order(10)
    void theInstallersPropertiesBecomeTheFlagsServiceInstallGets() throws Exception {
        freshWindows("properties");
        String java = javaHome("C:\\Program Files\\Eclipse Adoptium\\jdk-17.0.9.9-hotspot", "17.0.9", "x86_64") + "\\bin\\java.exe";
        // ADDLOCAL names the parent feature too: Wine's Windows Installer does not add it, Windows' does
        assertEquals(0, msiexec("/i " + msiPath() + " JAVA=\"" + java + "\" ENABLED_COLLECTORS=process LISTEN_PORT=9190"
                + " METRICS_PATH=/m EXTRA_FLAGS=\"--log.level=debug --collector.process.include=firefox.+\""
                + " ADDLOCAL=DefaultFeature,FirewallException REMOTE_ADDR=10.1.2.3,10.1.2.4"), log());
        List<String> runs = javaRuns();
        assertEquals(1, runs.size(), runs.toString());
        List<String> argv = WindowsCommandLine.split(runs.get(0));
        assertEquals(List.of(java, "-jar", PROGRAM + "leakwatch.jar", "service", "install"), argv.subList(0, 5));

        ServiceInstall.Options options = ServiceInstall.Options.parse(argv.subList(5, argv.size()));
        assertTrue(options.installer());
        assertEquals("10.1.2.3,10.1.2.4", options.firewall());
        CommandLine cli = Main.SERVICE_FLAGS.parse(options.flags());
        assertEquals(Map.of("config.file", PROGRAM + "config.yaml", "collectors.enabled", "process",
                "web.listen-address", List.of(":9190"), "telemetry.path", "/m", "log.level", "debug",
                "collector.process.include", "firefox.+"), cli.values());

        for (String file : List.of("leakwatch.jar", "leakwatch.cmd", "leakwatch.example.yml", "config.yaml",
                "jna\\win32-x86-64\\jnidispatch.dll", "jna\\win32-aarch64\\jnidispatch.dll")) {
            assertTrue(Files.isRegularFile(drive(PROGRAM + file)), file);
        }
        assertArrayEquals(Files.readAllBytes(Path.of("target/leakwatch.jar")), Files.readAllBytes(drive(PROGRAM + "leakwatch.jar")));
        String cmd = Files.readString(drive(PROGRAM + "leakwatch.cmd"), StandardCharsets.US_ASCII);
        assertFalse(cmd.replace("\r\n", "").contains("\n"), "leakwatch.cmd has CRLF lines");
        String eventSource = run(List.of(WINE.toString(), "reg", "query",
                "HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\leakwatch"), wine(), 60);
        assertTrue(eventSource.contains("REG_EXPAND_SZ") && eventSource.contains("EventCreate.exe"), eventSource);

        // the defaults: no flag but the config file, as windows_exporter's installer adds none
        assertEquals(0, msiexec("/x " + msiPath()), log());
        assertEquals(0, msiexec("/i " + msiPath() + " JAVA=\"" + java + "\""), log());
        List<String> defaults = WindowsCommandLine.split(javaRuns().get(1));
        assertEquals(List.of("--service.installer", "--config.file", PROGRAM + "config.yaml"), defaults.subList(5, defaults.size()));
    }

    /**
     * Removing the package removes what it installed, keeps config.yaml, and removes what the
     * service wrote by the RemoveFile table's names. Those have wildcards (hs_err_pid*.log, and
     * leakwatch.log* for the rotated logs), which Windows Installer expands and Wine's does not: here
     * the test reads in Wine's trace that each name was tried in the right folder; the Windows
     * workflow sees the files go.
     */
    @Test
    @Order(11)
    void uninstallRemovesWhatItInstalledAndWhatTheServiceWroteButNotTheConfigFile() throws Exception {
        freshWindows("uninstall");
        String java = javaHome("C:\\Java\\jdk-21", "21.0.5", "x86_64") + "\\bin\\java.exe";
        assertEquals(0, msiexec("/i " + msiPath() + " JAVA=\"" + java + "\""), log());
        Files.writeString(drive(PROGRAM + "config.yaml"), "log:\n  level: debug\n"); // the user's settings
        Files.writeString(drive(PROGRAM + "leakwatch.log"), "what the service printed\n");
        Files.writeString(drive(PROGRAM + "leakwatch.log.1"), "older\n");
        Files.writeString(drive(PROGRAM + "hs_err_pid42.log"), "a crash\n");
        Path state = drive("C:\\windows\\system32\\config\\systemprofile\\AppData\\Local\\leakwatch\\leak-state-9182.json");
        Files.createDirectories(state.getParent());
        Files.writeString(state, "{}");

        ProcessResult uninstall = msiexec("/x " + msiPath(), "trace+msi");
        assertEquals(0, uninstall.code, log());
        assertTrue(log().contains("RemoveFirewallRule"), "the firewall rule is removed (if there is one)");
        try (Stream<Path> left = Files.walk(drive(PROGRAM))) {
            assertEquals(List.of("config.yaml", "hs_err_pid42.log", "leakwatch.log", "leakwatch.log.1"),
                    left.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("log:\n  level: debug\n", Files.readString(drive(PROGRAM + "config.yaml")));
        for (String name : List.of(PROGRAM + "leakwatch.log*", PROGRAM + "hs_err_pid*.log",
                "C:\\windows\\system32\\config\\systemprofile\\AppData\\Local\\leakwatch\\leak-state*")) {
            assertTrue(uninstall.output.contains("Deleting misc file: L\"" + name.replace("\\", "\\\\") + "\""),
                    "RemoveFile tries " + name);
        }
        assertTrue(uninstall.output.contains("Removing misc directory: L\"C:\\\\windows\\\\system32\\\\config\\\\systemprofile"
                + "\\\\AppData\\\\Local\\\\leakwatch\\\\\""), "and the leak history's folder");
        String eventSource = runForOutput(List.of(WINE.toString(), "reg", "query",
                "HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\leakwatch"), wine(), 60);
        assertFalse(eventSource.contains("EventCreate.exe"), eventSource);
    }

    /** Without a Java 17+ the installer stops before it changes anything. */
    @Test
    @Order(12)
    void withoutASuitableJavaNothingIsInstalled() throws Exception {
        freshWindows("no-java");
        javaHome("C:\\Program Files\\Java\\jdk-11", "11.0.21", "x86_64"); // too old
        javaHome("C:\\Program Files (x86)\\Java\\jre-21", "21.0.5", "x86"); // 32-bit
        reg("HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment", "JAVA_HOME", "REG_SZ",
                "C:\\Program Files\\Java\\jdk-11");
        reg("HKLM\\SOFTWARE\\JavaSoft\\JRE", "CurrentVersion", "REG_SZ", "21");
        reg("HKLM\\SOFTWARE\\JavaSoft\\JRE\\21", "JavaHome", "REG_SZ", "C:\\Program Files (x86)\\Java\\jre-21");
        assertEquals(INSTALL_FAILURE, msiexec("/i " + msiPath()));
        assertTrue(log().contains("LaunchConditions"), log());
        assertFalse(log().contains("LEAKWATCH_JAVA ="), "no Java chosen");
        assertFalse(Files.exists(drive(PROGRAM)), "nothing installed");
        assertEquals(List.of(), javaRuns());

        assertEquals(INSTALL_FAILURE, msiexec("/i " + msiPath() + " JAVA=\"C:\\no\\such\\java.exe\""), "a JAVA that is not there");
    }

    /** The newest 64-bit Java 17+ among JAVA_HOME, the machine's PATH and Oracle's registry entries. */
    @Test
    @Order(13)
    void theNewest64BitJavaIsFound() throws Exception {
        freshWindows("find-java");
        javaHome("C:\\Java\\jdk-17", "17.0.12", "x86_64");
        javaHome("C:\\Java\\jdk-25-x86", "25", "x86");
        javaHome("C:\\Java\\jdk-21", "21.0.5", "amd64");
        javaHome("C:\\Java\\jdk-11", "11.0.21", "x86_64");
        reg("HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment", "JAVA_HOME", "REG_SZ", "C:\\Java\\jdk-17");
        String path = run(List.of(WINE.toString(), "reg", "query", "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment",
                "/v", "Path"), wine(), 60).lines().filter(l -> l.contains("REG_")).findFirst().orElseThrow();
        reg("HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment", "Path", "REG_EXPAND_SZ",
                path.substring(path.indexOf("REG_EXPAND_SZ") + "REG_EXPAND_SZ".length()).trim() + ";C:\\Java\\jdk-25-x86\\bin;C:\\Java\\jdk-11\\bin");
        reg("HKLM\\SOFTWARE\\JavaSoft\\JDK", "CurrentVersion", "REG_SZ", "21");
        reg("HKLM\\SOFTWARE\\JavaSoft\\JDK\\21", "JavaHome", "REG_SZ", "C:\\Java\\jdk-21");
        assertEquals(0, msiexec("/i " + msiPath()), log());
        assertEquals("C:\\Java\\jdk-21\\bin\\java.exe", WindowsCommandLine.split(javaRuns().get(0)).get(0),
                "21 from the registry: newer than JAVA_HOME's 17; 25 on PATH is 32-bit, 11 too old");
    }

    /** A package built with a Java runtime inside runs the service with it, whatever the machine has. */
    @Test
    @Order(14)
    void aPackageWithJavaInsideUsesIt() throws Exception {
        Path target = work.resolve("target-with-jre");
        Path runtime = work.resolve("jlink-image");
        Files.createDirectories(runtime.resolve("bin"));
        Files.copy(standInJava, runtime.resolve("bin/java.exe"));
        Files.writeString(runtime.resolve("release"), "JAVA_VERSION=\"21.0.5\"\nOS_ARCH=\"x86_64\"\n");
        Files.createDirectories(target.resolve("jna-windows"));
        Files.copy(Path.of("target/leakwatch.jar"), target.resolve("leakwatch.jar"));
        run(List.of("cp", "-R", "target/jna-windows/com", target.resolve("jna-windows").toString()), Map.of(), 60);
        run(List.of("sh", "src/main/msi/build-msi.sh", "9.9.9", target.toString(), runtime.toString()), Map.of(), 300);
        Path withJre = target.resolve("leakwatch-9.9.9-amd64-jre.msi");
        assertTrue(byKey(withJre, "File").values().stream().anyMatch(r -> r.get(2).equals("java.exe")));
        assertFalse(byKey(withJre, "Binary").containsKey("FindJavaScript"), "no search for a Java");

        freshWindows("with-jre");
        javaHome("C:\\Java\\jdk-25", "25", "x86_64"); // newer, but not the package's
        reg("HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment", "JAVA_HOME", "REG_SZ", "C:\\Java\\jdk-25");
        assertEquals(0, msiexec("/i Z:" + withJre.toString().replace('/', '\\')), log());
        assertEquals(PROGRAM + "jre\\bin\\java.exe", WindowsCommandLine.split(javaRuns().get(0)).get(0));
        assertTrue(Files.isRegularFile(drive(PROGRAM + "jre\\release")));
    }

    // ---------------------------------------------------------------- processes

    private static String run(List<String> command, Map<String, String> environment, int seconds) throws Exception {
        ProcessResult r = start(command, environment, seconds);
        if (r.code != 0) {
            fail(command + " exited " + r.code + ": " + r.output);
        }
        return r.output;
    }

    private static String runForOutput(List<String> command, Map<String, String> environment, int seconds) throws Exception {
        return start(command, environment, seconds).output;
    }

    private static int runForExit(List<String> command, Map<String, String> environment, int seconds) throws Exception {
        return start(command, environment, seconds).code;
    }

    private record ProcessResult(int code, String output) {
    }

    private static ProcessResult start(List<String> command, Map<String, String> environment, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        Process p = pb.start();
        byte[][] output = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                output[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                output[0] = new byte[0];
            }
        });
        reader.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish within " + seconds + " s");
        }
        reader.join(10_000);
        return new ProcessResult(p.exitValue(), new String(output[0] == null ? new byte[0] : output[0], StandardCharsets.UTF_8));
    }
}
