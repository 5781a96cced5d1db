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
            return JAVA;
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
        public String jnaPlatform() {
            return "win32-x86-64";
        }

        @Override
        public List<String> writersOtherThanAdministrators(String path) {
            return writable.getOrDefault(path, List.of());
        }
    };
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
