package io.leakwatch.service;

import io.leakwatch.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The service subcommand's argument handling against a recording SCM. */
class ServiceCommandTest {
    private static final String JAVA = "C:\\Program Files\\Eclipse Adoptium\\jdk-17\\bin\\java.exe";
    private static final String JAR = "C:\\Program Files\\leakwatch\\leakwatch.jar";

    @TempDir
    Path dir;

    final List<String> calls = new ArrayList<>();
    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    ServiceDefinition installed;
    String javaPath = JAVA;
    /** The command line the fake SCM has for the service. */
    String registered;
    Integer failWith;
    boolean windows = true;
    ServiceBody ranBody;
    String logOpened;

    final ServiceControl control = new ServiceControl() {
        @Override
        public void install(ServiceDefinition definition) throws ServiceException {
            calls.add("install");
            fail();
            installed = definition;
        }

        @Override
        public void uninstall(String name) throws ServiceException {
            calls.add("uninstall " + name);
            fail();
        }

        @Override
        public void start(String name) throws ServiceException {
            calls.add("start " + name);
            fail();
        }

        @Override
        public void stop(String name) throws ServiceException {
            calls.add("stop " + name);
            fail();
        }

        @Override
        public void run(String name, ServiceBody body) {
            calls.add("run " + name);
            ranBody = body;
        }

        @Override
        public String commandLine(String name) {
            return registered;
        }

        private void fail() throws ServiceException {
            if (failWith != null) {
                throw new ServiceException("leakwatch", failWith);
            }
        }
    };

    final ServiceCommand.Environment env = new ServiceCommand.Environment() {
        @Override
        public boolean isWindows() {
            return windows;
        }

        @Override
        public String javaExecutable() {
            return javaPath;
        }

        @Override
        public String jar() {
            return JAR;
        }

        @Override
        public Path workingDirectory() {
            return dir;
        }

        @Override
        public ServiceControl control() {
            return control;
        }

        @Override
        public PrintStream openLog(String path) {
            logOpened = path;
            return out;
        }

        @Override
        public List<String> writersOtherThanAdministrators(String path) {
            return writable.getOrDefault(path, List.of());
        }

        @Override
        public boolean exists(String path) {
            return existing.contains(path);
        }

        @Override
        public String systemDirectory() {
            return "C:\\Windows\\System32";
        }

        @Override
        public void eventLog(String message) {
            events.add(message);
        }

        /** The JVM checks run this machine's real java with the options given (the Windows path aside). */
        @Override
        public ServiceCommand.ProcessOutput run(List<String> command) throws IOException {
            ran.add(command);
            if (command.get(0).endsWith("\\netsh.exe")) {
                return new ServiceCommand.ProcessOutput(netshExit, netshExit == 0 ? "Ok." : "No rules match the specified criteria.");
            }
            if (!realJava) {
                return javaSays;
            }
            List<String> real = new ArrayList<>(command);
            real.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
            Process p = new ProcessBuilder(real).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                return new ServiceCommand.ProcessOutput(p.waitFor(), output);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
    };
    /** Files that exist on the fake Windows: the zip's JNA DLL, unless a test removes it. */
    final java.util.Set<String> existing = new java.util.HashSet<>(
            java.util.Set.of("C:\\Program Files\\leakwatch\\jna\\win32-x86-64\\jnidispatch.dll"));
    final List<List<String>> ran = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    int netshExit;
    /** What java.exe prints (by default a 64-bit Java 17), unless a test runs this machine's real java. */
    ServiceCommand.ProcessOutput javaSays = new ServiceCommand.ProcessOutput(0, "Property settings:\n"
            + "    java.specification.version = 17\n    os.arch = amd64\n    sun.arch.data.model = 64\n\nopenjdk version \"17.0.2\"\n");
    /** Run this machine's java with the options given, to see what a real JVM refuses. */
    boolean realJava;
    final java.util.Map<String, List<String>> writable = new java.util.HashMap<>();

    private int run(String... args) {
        return ServiceCommand.run(List.of(args), out, err, env, Main::serviceBody, Main.SERVICE_FLAGS);
    }

    @Test
    void installRegistersTheJarWithJvmOptionsAndTheFlagsIntact() {
        int code = run("install", "--collectors.enabled", "process", "--collector.process.include=firefox.+",
                "--collector.process.exclude", "svchost.*", "--service.jvm-option=-Xmx128m");
        assertEquals(0, code, errBytes.toString());
        assertEquals(List.of("install"), calls);
        assertEquals("leakwatch", installed.name());
        List<String> argv = WindowsCommandLineTest.msvcrtSplit(installed.commandLine());
        List<String> expected = new ArrayList<>(List.of(JAVA, "-Xrs"));
        expected.addAll(ServiceDefinition.DEFAULT_JVM_OPTIONS);
        expected.addAll(List.of("-XX:ErrorFile=C:\\Program Files\\leakwatch\\hs_err_pid%p.log",
                "-Djna.boot.library.path=C:\\Program Files\\leakwatch\\jna\\win32-x86-64", "-Djna.nounpack=true",
                "-Xmx128m", "-jar", JAR, "service", "run", "--collectors.enabled", "process",
                "--collector.process.include=firefox.+", "--collector.process.exclude", "svchost.*"));
        assertEquals(expected, argv);
        assertTrue(installed.commandLine().endsWith(" \"svchost.*\""),
                "a wildcard is quoted, or java.exe would expand it in System32: " + installed.commandLine());
        assertTrue(outBytes.toString().contains("leakwatch service start"));
        assertTrue(outBytes.toString().contains("C:\\Program Files\\leakwatch\\leakwatch.log"));
        assertEquals("", errBytes.toString(), "no warning: nothing is writable by others here");
    }

    /**
     * The service runs a Java runtime in a jre folder next to leakwatch.jar when there is one (a Java
     * update cannot remove it), whatever Java ran install.
     */
    @Test
    void installPrefersAJreNextToTheJar() {
        String jre = "C:\\Program Files\\leakwatch\\jre\\bin\\java.exe";
        existing.add(jre);
        assertEquals(0, run("install"), errBytes.toString());
        assertEquals(jre, WindowsCommandLineTest.msvcrtSplit(installed.commandLine()).get(0));
        assertEquals(jre, ran.get(0).get(0), "the Java that was checked is the one registered");
        assertEquals("", errBytes.toString());
    }

    /** Temurin, Microsoft and Corretto install each update in a new folder and remove the old one. */
    @Test
    void installWarnsAboutAJavaInAFolderNamedForOneVersion() {
        javaPath = "C:\\Program Files\\Eclipse Adoptium\\jdk-17.0.9.9-hotspot\\bin\\java.exe";
        assertEquals(0, run("install"), errBytes.toString());
        String err = errBytes.toString();
        assertTrue(err.startsWith("leakwatch: warning: the service runs the Java in C:\\Program Files\\Eclipse Adoptium\\"
                + "jdk-17.0.9.9-hotspot, a folder named for one Java version"), err);
        assertTrue(err.contains("C:\\Program Files\\leakwatch\\jre"), "says where a runtime of its own goes: " + err);
        assertEquals(1, err.split("\n").length, err);
        assertEquals(List.of("install"), calls, "a warning, not a refusal");

        for (String stable : List.of("C:\\Program Files\\Java\\jdk-17\\bin\\java.exe",
                "C:\\Program Files\\Zulu\\zulu-21\\bin\\java.exe")) {
            errBytes.reset();
            javaPath = stable;
            assertEquals(0, run("install"));
            assertEquals("", errBytes.toString(), stable);
        }
        for (String versioned : List.of("C:\\Program Files\\Microsoft\\jdk-21.0.5.11-hotspot\\bin\\java.exe",
                "C:\\Program Files\\Amazon Corretto\\jdk17.0.13_11\\bin\\java.exe")) {
            errBytes.reset();
            javaPath = versioned;
            assertEquals(0, run("install"));
            assertTrue(errBytes.toString().contains("a folder named for one Java version"), versioned);
        }
    }

    /**
     * java.exe refusing an option fails before leakwatch runs, on a stderr no one reads ("Win32
     * error 1067"): install runs the service's Java with every option it will get, and shows what
     * Java says.
     */
    @Test
    void installRunsTheServicesJavaWithAllItsOptionsFirst() {
        realJava = true;
        assertEquals(0, run("install", "--service.jvm-option=-Xmx128m"), errBytes.toString() + " (this machine's java takes them)");
        calls.clear();
        ran.clear();
        assertEquals(2, run("install", "--service.jvm-option=-Xmx64"));
        String err = errBytes.toString();
        assertTrue(err.startsWith("leakwatch: service install: " + JAVA + " does not start with the service's options: "), err);
        assertTrue(err.contains("heap"), "Java's own words: " + err);
        assertEquals(1, err.split("\n").length, err);
        assertEquals(List.of(), calls, "nothing registered");
        List<String> checked = ran.get(0);
        assertTrue(checked.containsAll(List.of("-Xrs", "-Xmx64", "-Djna.nounpack=true")), checked.toString());
        assertTrue(checked.containsAll(ServiceDefinition.DEFAULT_JVM_OPTIONS), checked.toString());
        assertEquals("-version", checked.get(checked.size() - 1));
    }

    @Test
    void installRefusesA32BitOrOldJava() {
        javaSays = new ServiceCommand.ProcessOutput(0, "Property settings:\n    java.specification.version = 17\n"
                + "    os.arch = x86\n    sun.arch.data.model = 32\n\nopenjdk version \"17.0.2\"\n");
        assertEquals(2, run("install"));
        assertTrue(errBytes.toString().contains("is a 32-bit Java; the service needs a 64-bit Java 17 or newer"), errBytes.toString());
        errBytes.reset();
        javaSays = new ServiceCommand.ProcessOutput(0, "Property settings:\n    java.specification.version = 11\n"
                + "    os.arch = amd64\n    sun.arch.data.model = 64\n");
        assertEquals(2, run("install"));
        assertTrue(errBytes.toString().contains("is Java 11; the service needs a 64-bit Java 17 or newer"), errBytes.toString());
        assertEquals(List.of(), calls);
    }

    /** The JNA folder the service loads its DLL from must hold the DLL for the service's Java. */
    @Test
    void installRefusesAMissingJnaDll() {
        existing.clear();
        assertEquals(2, run("install"));
        assertTrue(errBytes.toString().contains("C:\\Program Files\\leakwatch\\jna\\win32-x86-64\\jnidispatch.dll is missing"),
                errBytes.toString());
        assertEquals(List.of(), calls);
        errBytes.reset();
        javaSays = new ServiceCommand.ProcessOutput(0, "Property settings:\n    java.specification.version = 21\n"
                + "    os.arch = aarch64\n    sun.arch.data.model = 64\n");
        existing.add("C:\\Program Files\\leakwatch\\jna\\win32-aarch64\\jnidispatch.dll");
        assertEquals(0, run("install"), errBytes.toString());
        assertTrue(WindowsCommandLineTest.msvcrtSplit(installed.commandLine())
                        .contains("-Djna.boot.library.path=C:\\Program Files\\leakwatch\\jna\\win32-aarch64"),
                "the DLL for the Java's own architecture: " + installed.commandLine());
    }

    private List<List<String>> netsh() {
        return ran.stream().filter(c -> c.get(0).endsWith("\\netsh.exe")).toList();
    }

    /**
     * windows_exporter's installer adds a Windows Firewall rule for its port (ADDLOCAL=FirewallException,
     * REMOTE_ADDR): --service.firewall does the same for the service's Java and its listen ports,
     * and uninstall removes it.
     */
    @Test
    void installOpensTheListenPortsInTheFirewallWhenAskedTo() {
        assertEquals(0, run("install", "--service.firewall=10.0.0.5,10.0.0.6", "--web.listen-address=:9182",
                "--web.listen-address=127.0.0.1:9200"), errBytes.toString());
        String netsh = "C:\\Windows\\System32\\netsh.exe";
        assertEquals(List.of(
                List.of(netsh, "advfirewall", "firewall", "delete", "rule", "name=leakwatch"),
                List.of(netsh, "advfirewall", "firewall", "add", "rule", "name=leakwatch", "dir=in", "action=allow",
                        "protocol=TCP", "localport=9182,9200", "remoteip=10.0.0.5,10.0.0.6", "program=" + JAVA,
                        "profile=any", "description=leakwatch process exporter (HTTP)")), netsh());
        assertFalse(WindowsCommandLineTest.msvcrtSplit(installed.commandLine()).stream().anyMatch(a -> a.startsWith("--service.")),
                "install options are not service flags");

        ran.clear();
        assertEquals(0, run("install", "--service.firewall", "", "--log.level=debug"), errBytes.toString());
        assertTrue(netsh().get(1).contains("remoteip=any"), "no address: any, as REMOTE_ADDR empty means: " + netsh());
        assertTrue(installed.commandLine().endsWith(" --log.level=debug"));

        ran.clear();
        assertEquals(0, run("install"), errBytes.toString());
        assertEquals(List.of(), netsh(), "no rule unless asked for");

        ran.clear();
        netshExit = 1; // "No rules match the specified criteria."
        assertEquals(0, run("uninstall"));
        assertEquals(List.of(List.of(netsh, "advfirewall", "firewall", "delete", "rule", "name=leakwatch")), netsh());
    }

    /**
     * What the MSI runs (--service.installer): there is no prompt folder to make paths absolute
     * against, so a relative one is refused, and what goes wrong also goes to the Application
     * event log, since Windows Installer does not show a custom action's output.
     */
    @Test
    void theInstallersRunRefusesRelativePathsAndLogsWhatWentWrong() {
        assertEquals(2, run("install", "--service.installer", "--config.file", "config.yaml"));
        assertTrue(errBytes.toString().contains("--config.file: 'config.yaml' must be a full path"), errBytes.toString());
        assertEquals(1, events.size(), events.toString());
        assertTrue(events.get(0).startsWith("leakwatch: --config.file: 'config.yaml' must be a full path"), events.get(0));
        assertEquals(List.of(), calls);

        events.clear();
        assertEquals(2, run("install", "--service.installer", "--web.max-requests=many"));
        assertEquals(1, events.size(), "every refusal: " + errBytes);
        events.clear();
        assertEquals(0, run("install", "--service.installer", "--log.level=debug"), errBytes.toString());
        assertEquals(List.of(), events, "nothing logged when all went well");
    }

    @Test
    void installRefusesWhatIsNotAJvmOption() {
        assertEquals(2, run("install", "--service.jvm-option=Xmx128m"));
        assertEquals(2, run("install", "--service.jvm-option", "-jar"));
        assertEquals(2, run("install", "--service.jvm-option"));
        assertEquals(List.of(), calls);
        assertEquals(3, errBytes.toString().split("\n").length, errBytes.toString());
    }

    @Test
    void installWarnsWhenNonAdministratorsCanChangeWhatTheServiceRuns() {
        writable.put(JAR, List.of("BUILTIN\\Users"));
        writable.put("C:\\Program Files\\Eclipse Adoptium\\jdk-17\\bin", List.of("CONTOSO\\bob"));
        writable.put("C:\\Program Files\\leakwatch\\jna\\win32-x86-64\\jnidispatch.dll", List.of("Everyone"));
        assertEquals(0, run("install"));
        String[] warnings = errBytes.toString().split("\n");
        assertEquals(3, warnings.length, errBytes.toString());
        assertTrue(warnings[0].startsWith("leakwatch: warning: " + JAR + " can be changed by BUILTIN\\Users"), warnings[0]);
        assertTrue(errBytes.toString().contains("jnidispatch.dll can be changed by Everyone"));
        assertTrue(errBytes.toString().contains("bin can be changed by CONTOSO\\bob"));
        assertEquals(List.of("install"), calls, "a warning, not a refusal");
    }

    @Test
    void installMakesTheConfigFileAbsoluteAndLogsNextToIt() throws IOException {
        Files.writeString(dir.resolve("leakwatch.yml"), "collector:\n  process:\n    include: \"sql.+\"\n");
        assertEquals(0, run("install", "--config.file", "leakwatch.yml"), errBytes.toString());
        List<String> argv = WindowsCommandLineTest.msvcrtSplit(installed.commandLine());
        assertEquals(dir.resolve("leakwatch.yml").toString(), argv.get(argv.size() - 1));
        assertTrue(outBytes.toString().contains(dir.resolve("leakwatch.log").toString()), outBytes.toString());

        calls.clear();
        assertEquals(0, run("install", "--config.file=leakwatch.yml"));
        assertTrue(installed.commandLine().endsWith("--config.file=" + dir.resolve("leakwatch.yml")));
        assertTrue(installed.commandLine().contains("-XX:ErrorFile=" + dir + "\\hs_err_pid%p.log"), "crash files next to the log");
    }

    /**
     * A service starts in C:\Windows\System32: every flag that names a file is made absolute at
     * install, against the folder install ran in, so the service finds (and writes) the same files.
     */
    @Test
    void installMakesEveryPathFlagAbsolute() throws IOException {
        Files.writeString(dir.resolve("web.yml"), "");
        assertEquals(0, run("install", "--web.config.file=web.yml", "--log.file", "logs\\leakwatch.log",
                "--leak.state-file=state.json"), errBytes.toString());
        List<String> argv = WindowsCommandLineTest.msvcrtSplit(installed.commandLine());
        List<String> flags = argv.subList(argv.indexOf("run") + 1, argv.size());
        assertEquals(List.of("--web.config.file=" + dir.resolve("web.yml"), "--log.file",
                dir.resolve("logs\\leakwatch.log").toString(), "--leak.state-file=" + dir.resolve("state.json")), flags);

        // words that are not files, and empty values, stay as they are
        assertEquals(0, run("install", "--log.file=eventlog", "--leak.state-file=auto"), errBytes.toString());
        argv = WindowsCommandLineTest.msvcrtSplit(installed.commandLine());
        assertEquals(List.of("--log.file=eventlog", "--leak.state-file=auto"), argv.subList(argv.indexOf("run") + 1, argv.size()));
        assertEquals(0, run("install", "--leak.state-file="), errBytes.toString());
        assertTrue(installed.commandLine().endsWith(" --leak.state-file="), installed.commandLine());
    }

    /**
     * The config file's own relative paths would be taken against C:\Windows\System32 by the
     * service: install refuses them with the absolute path to write instead.
     */
    @Test
    void installRefusesRelativePathsInsideTheConfigFile() throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/leakwatch.yml"), "web:\n  config:\n    file: web.yml\n");
        Files.writeString(dir.resolve("web.yml"), ""); // found from the prompt's folder, but not from System32
        assertEquals(2, run("install", "--config.file=conf/leakwatch.yml"));
        String err = errBytes.toString();
        assertTrue(err.startsWith("leakwatch: service install: web.config.file in " + dir.resolve("conf/leakwatch.yml")
                + " is a relative path (web.yml)"), err);
        assertTrue(err.contains(dir.resolve("conf").resolve("web.yml").toString()), "names the absolute path to write: " + err);
        assertEquals(1, err.split("\n").length, err);
        assertEquals(List.of(), calls, "nothing registered");

        Files.writeString(dir.resolve("conf/leakwatch.yml"), "log:\n  file: eventlog\nleak:\n  state-file: "
                + dir.resolve("state.json") + "\n");
        errBytes.reset();
        assertEquals(0, run("install", "--config.file=conf/leakwatch.yml"), errBytes.toString());
    }

    @Test
    void installRejectsBadFlagsAtThePromptNotAtServiceStart() {
        assertEquals(2, run("install", "--collector.process.include=("));
        assertEquals(2, run("install", "--no-such-flag"));
        assertEquals(2, run("install", "--config.file", "missing.yml"));
        assertEquals(2, run("install", "--help"));
        // every setting a start checks is checked here too, not only the process and leak flags
        assertEquals(2, run("install", "--collector.process.max-processes=-1"));
        assertEquals(2, run("install", "--collector.process.cmdline-redact=("));
        assertEquals(2, run("install", "--web.max-requests=many"));
        assertEquals(2, run("install", "--web.config.file", "no-such-web-config.yml"));
        assertEquals(2, run("install", "--leak.window=5s"));
        assertEquals(List.of(), calls, "nothing registered");
        String[] lines = errBytes.toString().split("\n");
        assertEquals(9, lines.length, errBytes.toString());
        for (String line : lines) {
            assertTrue(line.startsWith("leakwatch: "), line);
        }
    }

    /**
     * "java.exe ended before leakwatch started" (1067) has its reason on a stderr nobody sees:
     * 'service start' runs the registered Java with its options and shows what it says.
     */
    @Test
    void startShowsWhatJavaSaysWhenItEndedBeforeLeakwatchStarted() {
        realJava = true;
        registered = ServiceDefinition.of(JAVA, JAR, "win32-x86-64", List.of("-Xmx64"), List.of("--log.level=debug"),
                "C:\\Program Files\\leakwatch\\leakwatch.log").commandLine();
        failWith = 1067;
        assertEquals(1, run("start"));
        String err = errBytes.toString();
        assertTrue(err.contains("(Win32 error 1067)"), err);
        assertTrue(err.contains("Java says: Error occurred during initialization of VM: Initial heap size set to a larger value"), err);
        assertEquals(1, err.split("\n").length, err);
        List<String> checked = ran.get(0);
        assertEquals(JAVA, checked.get(0));
        assertEquals("-version", checked.get(checked.size() - 1));
        assertFalse(checked.contains("-jar"), "only the JVM's part of the command runs: " + checked);

        errBytes.reset();
        registered = ServiceDefinition.of(JAVA, JAR, "win32-x86-64", List.of(), List.of(),
                "C:\\Program Files\\leakwatch\\leakwatch.log").commandLine();
        assertEquals(1, run("start"));
        assertTrue(errBytes.toString().contains("starts with the service's options now"), errBytes.toString());
    }

    @Test
    void startStopUninstallCallTheScm() {
        assertEquals(0, run("start"));
        assertEquals(0, run("stop"));
        assertEquals(0, run("uninstall"));
        assertEquals(List.of("start leakwatch", "stop leakwatch", "uninstall leakwatch"), calls);
    }

    @Test
    void scmErrorsAreOneLineWithTheWin32Code() {
        failWith = 5;
        assertEquals(2, run("install"));
        failWith = 1060;
        assertEquals(1, run("stop"));
        String err = errBytes.toString();
        assertTrue(err.contains("elevated prompt (Run as administrator) (Win32 error 5)"), err);
        assertTrue(err.contains("service 'leakwatch' is not installed (Win32 error 1060)"), err);
        assertEquals(2, err.split("\n").length);
    }

    @Test
    void usageMistakes() {
        assertEquals(2, run());
        assertEquals(2, run("restart"));
        assertEquals(2, run("start", "--collector.process.include=x"));
        windows = false;
        assertEquals(2, run("install"));
        assertTrue(errBytes.toString().contains("only on Windows"));
        assertEquals(List.of(), calls);
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void mainDispatchesTheSubcommandAndStillRejectsOtherPositionalArguments() {
        assertEquals(2, Main.run(List.of("service", "install"), out, err));
        assertTrue(errBytes.toString().contains("Windows services exist only on Windows"), errBytes.toString());
        assertEquals(2, Main.run(List.of("serve"), out, err));
        assertTrue(errBytes.toString().contains("unexpected argument 'serve'"), errBytes.toString());
    }

    @Test
    void runStartsAndStopsTheRealExporterThroughTheServiceBody() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        assertEquals(0, run("run", "--web.listen-address=127.0.0.1:" + port));
        assertEquals(List.of("run leakwatch"), calls);
        assertEquals("C:\\Program Files\\leakwatch\\leakwatch.log", logOpened);

        assertEquals(0, ranBody.start(), errBytes.toString() + outBytes);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        ranBody.stop();
        assertThrows(IOException.class, () -> http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()), "stopped: nothing listens any more");
    }
}
