package io.leakwatch.service;

import io.leakwatch.config.Settings;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What goes into the Windows zip besides the jar. cmd.exe does not run here, so the launcher is
 * checked for what breaks it in practice (LF-only line endings, an unquoted path with spaces) and
 * its java line is expanded as cmd would and split by the C runtime's rules.
 */
class WindowsDistributionTest {
    private static final Path DIST = Path.of("src", "main", "dist");

    @Test
    void launcherHasCrlfLineEndingsAndPassesTheSeedsCommandThrough() throws Exception {
        String cmd = Files.readString(DIST.resolve("leakwatch.cmd"), StandardCharsets.US_ASCII);
        assertFalse(cmd.replace("\r\n", "").contains("\n"), "every line ends in CRLF");
        String javaLine = cmd.lines().filter(l -> l.startsWith("\"%LEAKWATCH_JAVA%\"")).findFirst().orElseThrow();

        // cmd.exe: %~dp0 keeps its trailing backslash, %* is the argument text exactly as typed.
        String typed = "--collectors.enabled process --collector.process.include=\"firefox.+\"";
        String expanded = javaLine
                .replace("%LEAKWATCH_JAVA%", "C:\\Program Files\\Eclipse Adoptium\\jdk-17\\bin\\java.exe")
                .replace(" %LEAKWATCH_JAVA_OPTS%", "")
                .replace("%LEAKWATCH_HOME%", "C:\\Program Files\\leakwatch-0.1.0\\")
                .replace("%*", typed);
        List<String> argv = WindowsCommandLineTest.msvcrtSplit(expanded);
        assertEquals(List.of("C:\\Program Files\\Eclipse Adoptium\\jdk-17\\bin\\java.exe",
                "-Djna.tmpdir=C:\\Program Files\\leakwatch-0.1.0\\jna", "-jar",
                "C:\\Program Files\\leakwatch-0.1.0\\leakwatch.jar",
                "--collectors.enabled", "process", "--collector.process.include=firefox.+"), argv);
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
