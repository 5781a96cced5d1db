package io.leakwatch;

import io.leakwatch.service.WindowsCommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** java.exe's expansion of unquoted * and ?, undone from the raw command line. */
class LauncherWildcardsTest {
    private static final String JAVA = "\"C:\\Program Files\\Java\\jdk-17\\bin\\java.exe\" -Xms8m -Xmx64m -jar "
            + "\"C:\\Program Files\\leakwatch\\leakwatch.jar\" ";

    @Test
    void anExpandedRegexIsTakenFromTheCommandLine() {
        // typed in C:\Windows\System32: --collector.process.exclude svchost.*
        List<String> main = List.of("--collector.process.exclude", "svchost.exe");
        assertEquals(List.of("--collector.process.exclude", "svchost.*"),
                LauncherWildcards.restore(main, JAVA + "--collector.process.exclude svchost.*"));
        // one pattern that matched several files
        List<String> many = List.of("--collector.process.include", "a.dll", "b.dll", "--no-collector.process.cmdline");
        assertEquals(List.of("--collector.process.include", "?.dll", "--no-collector.process.cmdline"),
                LauncherWildcards.restore(many, JAVA + "--collector.process.include ?.dll --no-collector.process.cmdline"));
    }

    @Test
    void quotedOrUnchangedArgumentsAreLeftAlone() {
        List<String> main = List.of("--collector.process.include=svchost.*");
        assertSame(main, LauncherWildcards.restore(main, JAVA + "\"--collector.process.include=svchost.*\""), "quoted: java kept it");
        List<String> plain = List.of("--web.listen-address=:9182");
        assertSame(plain, LauncherWildcards.restore(plain, JAVA + "--web.listen-address=:9182"));
    }

    @Test
    void aCommandLineThatDisagreesIsNotTrusted() {
        List<String> main = List.of("--collector.process.exclude", "svchost.exe");
        assertSame(main, LauncherWildcards.restore(main, JAVA + "--other svchost.*"), "a non-wildcard argument is missing");
        assertSame(main, LauncherWildcards.restore(main, "java.exe -cp x io.leakwatch.Main svchost.*"), "no -jar");
        assertSame(main, LauncherWildcards.restore(main, JAVA.trim()), "nothing after the jar");
    }

    @Test
    void splitsAsTheCRuntimeDoes() {
        List<WindowsCommandLine.Token> t = WindowsCommandLine.tokens("\"C:\\a b\\java.exe\" x \"y z\" a\\\\\"b c\" \"q\"\"r\" s*t \"u*v\"");
        assertEquals(List.of("C:\\a b\\java.exe", "x", "y z", "a\\b c", "q\"r", "s*t", "u*v"),
                t.stream().map(WindowsCommandLine.Token::value).toList());
        assertEquals(List.of(false, false, false, false, false, true, false),
                t.stream().map(WindowsCommandLine.Token::unquotedWildcard).toList());
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void offWindowsTheArgumentsAreUntouched() {
        List<String> args = List.of("svchost.exe");
        assertSame(args, LauncherWildcards.restore(args));
    }
}
