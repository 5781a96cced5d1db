package io.leakwatch.service;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WindowsCommandLineTest {

    @Test
    void quotesOnlyWhatNeedsIt() {
        assertEquals("--collectors.enabled", WindowsCommandLine.quote("--collectors.enabled"));
        assertEquals("--collector.process.include=firefox.+", WindowsCommandLine.quote("--collector.process.include=firefox.+"));
        assertEquals("\"\"", WindowsCommandLine.quote(""));
        assertEquals("\"C:\\Program Files\\leakwatch\\leakwatch.jar\"", WindowsCommandLine.quote("C:\\Program Files\\leakwatch\\leakwatch.jar"));
        assertEquals("\"say \\\"hi\\\"\"", WindowsCommandLine.quote("say \"hi\""));
        assertEquals("\"C:\\dir with space\\\\\"", WindowsCommandLine.quote("C:\\dir with space\\"), "trailing backslash doubled before the closing quote");
        assertEquals("C:\\no\\space\\", WindowsCommandLine.quote("C:\\no\\space\\"), "unquoted backslashes stay single");
        // java.exe expands unquoted * and ? against its working directory (System32 for a service)
        assertEquals("\"svchost.*\"", WindowsCommandLine.quote("svchost.*"));
        assertEquals("\"--collector.process.include=svc?ost\"", WindowsCommandLine.quote("--collector.process.include=svc?ost"));
    }

    @Test
    void theCRuntimeSplitsItBackIntoTheSameArguments() {
        List<String> arguments = List.of("-Djna.tmpdir=C:\\Program Files\\leakwatch\\jna", "-jar",
                "C:\\Program Files\\leakwatch\\leakwatch.jar", "service", "run",
                "--collector.process.include=(firefox|chrome) .+", "--collector.process.exclude", "",
                "--config.file=C:\\cfg dir\\", "a\\\\\"b", "\t", "x\"y\"z", "\\\\server\\share\\");
        String line = WindowsCommandLine.of("C:\\Program Files\\Java\\jdk-17\\bin\\java.exe", arguments);
        List<String> parsed = msvcrtSplit(line);
        assertEquals("C:\\Program Files\\Java\\jdk-17\\bin\\java.exe", parsed.get(0));
        assertEquals(arguments, parsed.subList(1, parsed.size()));
    }

    /** leakwatch's own split (to read the service's registered command back) agrees with the C runtime's rules. */
    @Test
    void theSplitAgreesWithTheCRuntimesRules() {
        java.util.Random random = new java.util.Random(21);
        String alphabet = "ab \t\\\"*-=";
        for (int n = 0; n < 5_000; n++) {
            List<String> arguments = new ArrayList<>();
            for (int a = random.nextInt(5); a > 0; a--) {
                StringBuilder arg = new StringBuilder();
                for (int c = random.nextInt(8); c > 0; c--) {
                    arg.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                arguments.add(arg.toString());
            }
            String line = WindowsCommandLine.of("C:\\Program Files\\Java\\bin\\java.exe", arguments);
            assertEquals(msvcrtSplit(line), WindowsCommandLine.split(line), line);
            StringBuilder typed = new StringBuilder("x ");
            for (int c = random.nextInt(20); c > 0; c--) {
                typed.append(alphabet.charAt(random.nextInt(alphabet.length()))); // anything a user might type
            }
            assertEquals(msvcrtSplit(typed.toString()), WindowsCommandLine.split(typed.toString()), typed.toString());
        }
    }

    @Test
    void programPathWithAQuoteIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> WindowsCommandLine.of("C:\\a\"b\\java.exe", List.of()));
    }

    /**
     * The Microsoft C runtime's argv rules (as documented for "Parsing C command-line arguments"):
     * program name up to the closing quote; then 2n backslashes + quote = n backslashes and a quote
     * toggle, 2n+1 backslashes + quote = n backslashes and a literal quote, other backslashes literal.
     */
    static List<String> msvcrtSplit(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        StringBuilder program = new StringBuilder();
        if (line.charAt(0) == '"') {
            i = 1;
            while (line.charAt(i) != '"') {
                program.append(line.charAt(i++));
            }
            i++;
        } else {
            while (i < line.length() && line.charAt(i) != ' ') {
                program.append(line.charAt(i++));
            }
        }
        out.add(program.toString());
        while (true) {
            while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i >= line.length()) {
                return out;
            }
            StringBuilder arg = new StringBuilder();
            boolean quoted = false;
            while (i < line.length()) {
                char c = line.charAt(i);
                if (!quoted && (c == ' ' || c == '\t')) {
                    break;
                }
                if (c == '\\') {
                    int n = 0;
                    while (i < line.length() && line.charAt(i) == '\\') {
                        n++;
                        i++;
                    }
                    if (i < line.length() && line.charAt(i) == '"') {
                        arg.append("\\".repeat(n / 2));
                        if (n % 2 == 1) {
                            arg.append('"');
                            i++;
                        }
                    } else {
                        arg.append("\\".repeat(n));
                    }
                    continue;
                }
                if (c == '"') {
                    if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        arg.append('"'); // "" inside quotes: a literal quote (post-2008 CRT)
                        i += 2;
                        continue;
                    }
                    quoted = !quoted;
                    i++;
                    continue;
                }
                arg.append(c);
                i++;
            }
            out.add(arg.toString());
        }
    }
}
