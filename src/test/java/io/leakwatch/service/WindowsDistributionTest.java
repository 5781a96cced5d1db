package io.leakwatch.service;

import io.leakwatch.Settings;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What goes into the Windows zip besides the jar. cmd.exe does not run here, so the launcher is
 * checked for what breaks it in practice (LF-only line endings, an unquoted path with spaces) and
 * its java line is expanded as cmd would and split by the C runtime's rules.
 */
class WindowsDistributionTest {
    private static final Path DIST = Path.of("src", "main", "dist");

    @Test
    void launcherPassesTheSeedsCommandThrough() throws Exception {
        String cmd = launcher();
        List<String> argv = run(cmd, Map.of("JAVA_HOME", "C:\\Program Files\\Eclipse Adoptium\\jdk-17"),
                "--collectors.enabled process --collector.process.include=\"firefox.+\"");
        List<String> expected = new ArrayList<>(List.of("C:\\Program Files\\Eclipse Adoptium\\jdk-17\\bin\\java.exe"));
        expected.addAll(ServiceDefinition.DEFAULT_JVM_OPTIONS);
        expected.addAll(List.of("-jar", "C:\\Program Files\\leakwatch-0.1.0\\leakwatch.jar",
                "--collectors.enabled", "process", "--collector.process.include=firefox.+"));
        assertEquals(expected, argv);
    }

    /**
     * cmd.exe needs CRLF lines. What ships is converted by the build, whatever the checkout has;
     * git pins the file to CRLF too, and everything else to LF, so a Windows clone tests the same bytes.
     */
    @Test
    void theLauncherShipsWithCrlfWhateverTheCheckoutHas() throws Exception {
        String assembly = Files.readString(Path.of("src", "main", "assembly", "windows.xml"));
        assertTrue(Pattern.compile("<source>src/main/dist/leakwatch.cmd</source>\\s*<lineEnding>crlf</lineEnding>")
                .matcher(assembly).find(), assembly);
        List<String> attributes = Files.readAllLines(Path.of(".gitattributes"));
        assertTrue(attributes.contains("* text=auto eol=lf"), "text files are LF in every checkout");
        assertTrue(attributes.contains("*.cmd text eol=crlf"), "batch files are CRLF in every checkout");
    }

    /**
     * mvn package builds the MSI with wixl where there is one; without it, the build goes on and
     * says so, except in CI, where a missing wixl is an error (the MSI must be built and tested there).
     */
    @Test
    void theMsiIsSkippedWithoutWixlExceptInCi(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")) && Files.isExecutable(Path.of("/usr/bin/dirname")),
                "a POSIX shell, as Maven runs the script on Linux");
        Path bin = Files.createDirectories(dir.resolve("bin")); // dirname only: no wixl, no msibuild
        Files.createSymbolicLink(bin.resolve("dirname"), Path.of("/usr/bin/dirname"));
        for (String ci : List.of("", "true")) {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "src/main/msi/build-msi.sh", "0.1.0", dir.toString()).redirectErrorStream(true);
            pb.environment().put("PATH", bin.toString());
            pb.environment().put("CI", ci);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            if (ci.isEmpty()) {
                assertEquals(0, p.exitValue(), out);
                assertEquals("[msi] skipped: wixl or msibuild not found (Debian: apt-get install wixl msitools)\n", out);
            } else {
                assertEquals(1, p.exitValue(), out);
                assertTrue(out.contains("CI needs the Debian packages wixl and msitools"), out);
            }
        }
    }

    /** JNA's default (the user's own temp folder) works for any user; a folder under Program Files does not. */
    @Test
    void theConsoleLauncherDoesNotPointJnaAtTheInstallFolder() throws Exception {
        assertFalse(launcher().contains("jna.tmpdir"));
        assertFalse(launcher().contains("jna.nounpack"));
    }

    @Test
    void aQuotedJavaHomeStillGivesOneJavaPath() throws Exception {
        List<String> argv = run(launcher(), Map.of("JAVA_HOME", "\"C:\\Program Files\\Java\\jdk-21\""), "--version");
        assertEquals("C:\\Program Files\\Java\\jdk-21\\bin\\java.exe", argv.get(0));
        assertEquals("--version", argv.get(argv.size() - 1));
        assertEquals("java.exe", run(launcher(), Map.of(), "--version").get(0), "no JAVA_HOME: java.exe from PATH");
        assertEquals("C:\\Program Files\\leakwatch-0.1.0\\jre\\bin\\java.exe",
                run(launcher(), Map.of("JAVA_HOME", "\"C:\\Java\"", "(jre)", ""), "--version").get(0), "a jre folder wins");
    }

    /** %~dp0 is wrong when the script runs by a quoted name found on PATH; inside a subroutine it is right. */
    @Test
    void theInstallFolderIsTakenInsideASubroutine() throws Exception {
        String cmd = launcher();
        List<String> lines = cmd.lines().toList();
        int call = lines.indexOf("call :home");
        assertTrue(call > 0, "calls the subroutine");
        assertTrue(lines.indexOf(":home") > lines.indexOf("exit /b %ERRORLEVEL%"), "after the main part's exit");
        assertEquals(List.of("set \"LEAKWATCH_HOME=%~dp0\""),
                lines.stream().filter(l -> l.contains("%~dp0") && !l.startsWith("rem")).toList(), "%~dp0 used only there");
    }

    /** The console, the Linux launcher and the service start the JVM with the same defaults. */
    @Test
    void theThreeLaunchersShareTheJvmDefaults() throws Exception {
        String cmd = launcher();
        String cmdOptions = cmd.lines().filter(l -> l.startsWith("set \"LEAKWATCH_DEFAULT_JVM_OPTS=")).findFirst().orElseThrow();
        assertEquals(ServiceDefinition.DEFAULT_JVM_OPTIONS,
                List.of(cmdOptions.substring(cmdOptions.indexOf('=') + 1, cmdOptions.length() - 1).split(" ")));
        String sh = Files.readString(DIST.resolve("leakwatch"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("LEAKWATCH_DEFAULT_JVM_OPTS=\"([^\"]*)\"").matcher(sh);
        assertTrue(m.find());
        assertEquals(ServiceDefinition.DEFAULT_JVM_OPTIONS,
                List.of(m.group(1).replaceAll("\\\\\r?\n", " ").trim().split("\\s+")), "continuation lines end in LF or CRLF");
    }

    private static String launcher() throws Exception {
        return Files.readString(DIST.resolve("leakwatch.cmd"), StandardCharsets.US_ASCII);
    }

    /**
     * Runs the launcher as cmd.exe would for the constructs it uses (set "X=...", if defined,
     * call :home, %X% and %X:"=% expansion, %* as typed), installed in C:\Program Files\leakwatch-0.1.0,
     * and returns java.exe's argv as the C runtime splits it.
     */
    private static List<String> run(String script, Map<String, String> environment, String typed) {
        Map<String, String> vars = new java.util.HashMap<>(environment);
        for (String line : script.lines().toList()) {
            if (line.isEmpty() || line.startsWith("rem") || line.startsWith("@echo") || line.equals("setlocal")) {
                continue;
            }
            if (line.equals("call :home")) {
                vars.put("LEAKWATCH_HOME", "C:\\Program Files\\leakwatch-0.1.0\\");
                continue;
            }
            String statement = line;
            if (statement.startsWith("if exist ")) {
                if (!vars.containsKey("(jre)")) {
                    continue; // no jre folder next to the launcher
                }
                statement = statement.substring(statement.indexOf("\" set ") + 2);
            }
            if (statement.startsWith("if defined ")) {
                String name = statement.substring(11, statement.indexOf(' ', 11));
                if (!vars.containsKey(name)) {
                    continue;
                }
                statement = statement.substring(statement.indexOf(' ', 11) + 1);
            }
            if (statement.startsWith("set \"")) {
                String body = expand(statement.substring(5, statement.lastIndexOf('"')), vars);
                vars.put(body.substring(0, body.indexOf('=')), body.substring(body.indexOf('=') + 1));
                continue;
            }
            if (statement.startsWith("\"%LEAKWATCH_JAVA%\"")) {
                return WindowsCommandLineTest.msvcrtSplit(expand(statement.replace("%*", "\u0000"), vars).replace("\u0000", typed));
            }
            fail("the test does not know this launcher line: " + line);
        }
        throw new AssertionError("no java line");
    }

    private static String expand(String text, Map<String, String> vars) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("%([A-Z_]+)(:\"=)?%").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = vars.getOrDefault(m.group(1), "");
            if (m.group(2) != null) {
                value = value.replace("\"", "");
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The zip puts JNA's DLL where the service's -Djna.boot.library.path looks for it. */
    @Test
    void theZipShipsJnasDllWhereTheServiceLoadsIt() throws Exception {
        String assembly = Files.readString(Path.of("src", "main", "assembly", "windows.xml"));
        assertTrue(assembly.contains("<outputDirectory>jna</outputDirectory>"), assembly);
        for (String platform : List.of("win32-x86-64", "win32-aarch64")) {
            assertTrue(assembly.contains("<include>" + platform + "/jnidispatch.dll</include>"), platform);
            String line = ServiceDefinition.of("C:\\j\\bin\\java.exe", "C:\\lw\\leakwatch.jar", platform, List.of(), List.of(),
                            "C:\\lw\\leakwatch.log")
                    .commandLine();
            assertTrue(line.contains("-Djna.boot.library.path=C:\\lw\\" + ServiceDefinition.JNA_DIRECTORY + "\\" + platform + " "), line);
        }
        assertTrue(Files.readString(Path.of("pom.xml")).contains("<includes>com/sun/jna/win32-x86-64/jnidispatch.dll,"
                + "com/sun/jna/win32-aarch64/jnidispatch.dll</includes>"));
    }

    @Test
    void exampleConfigIsValid() throws Exception {
        Settings settings = Settings.load(Map.of("config.file", DIST.resolve("leakwatch.example.yml").toString()));
        assertEquals(Set.of("process"), settings.http().enabledCollectors());
        assertEquals(9182, settings.http().listenAddresses().get(0).port());
        assertTrue(settings.process().cmdline());
        assertFalse(settings.process().iis());
    }
}
