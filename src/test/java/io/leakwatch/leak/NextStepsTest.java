package io.leakwatch.leak;

import io.leakwatch.model.ProcessInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.leakwatch.leak.Series.MIB;
import static io.leakwatch.leak.Series.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Next steps follow the runtime, OS and resource; every name in them stays one literal word in the shell. */
class NextStepsTest {
    /** Names a local user can give a process, each an attempt to run {@code touch x} when pasted. */
    static final List<String> HOSTILE = List.of("l;touch${IFS}x;", "a'b;touch x;'", "$(touch x)", "`touch x`", "x|touch x",
            "-rf", "a&&touch x", "tab\there", "new\nline;touch x", "q\"uote", "*", "--help", "semi;", "dollar$IFS", "a\\'b");

    @TempDir
    Path dir;

    @Test
    void theRuntimeIsGuessedFromTheNameAndCommandLine() {
        assertEquals(NextSteps.Runtime.JVM, NextSteps.guess(info("java", "/usr/lib/jvm/bin/java -Xmx1g -cp a.jar Main")));
        assertEquals(NextSteps.Runtime.JVM, NextSteps.guess(info("kafka", "/opt/java/bin/java -XX:+UseG1GC kafka.Kafka")));
        assertEquals(NextSteps.Runtime.JVM, NextSteps.guess(info("javaw", "\"C:\\Program Files\\Java\\bin\\javaw.exe\" -jar x.jar")));
        assertEquals(NextSteps.Runtime.DOTNET, NextSteps.guess(info("dotnet", "dotnet Api.dll")));
        assertEquals(NextSteps.Runtime.DOTNET, NextSteps.guess(info("w3wp_DefaultAppPool", "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"x\"")));
        assertEquals(NextSteps.Runtime.PYTHON, NextSteps.guess(info("python3.11", "/usr/bin/python3.11 app.py")));
        assertEquals(NextSteps.Runtime.PYTHON, NextSteps.guess(info("gunicorn", "/usr/bin/python3 /usr/bin/gunicorn app")));
        assertEquals(NextSteps.Runtime.PYTHON, NextSteps.guess(info("lw-agent", "/opt/lw-agent /opt/shapes.py leak 16")));
        assertEquals(NextSteps.Runtime.GO, NextSteps.guess(info("node_exporter", "/usr/bin/node_exporter")));
        assertEquals(NextSteps.Runtime.GO, NextSteps.guess(info("prometheus", "")));
        assertEquals(NextSteps.Runtime.NATIVE, NextSteps.guess(info("agent", "C:\\Program Files\\Agent\\agent.exe --service")));
        assertEquals(NextSteps.Runtime.NATIVE, NextSteps.guess(info("postgres", "postgres -D /var/lib/postgresql")));
    }

    @Test
    void stepsDependOnRuntimeOsAndResource() {
        LeakVerdict goMemory = suspect(info("node_exporter", "/usr/bin/node_exporter"), true, false);
        List<String> linux = titles("Linux", goMemory);
        assertTrue(linux.get(0).contains("Go heap"), linux.toString());
        assertTrue(linux.stream().anyMatch(t -> t.contains("heaptrack")));
        assertFalse(linux.stream().anyMatch(t -> t.contains("UMDH")));
        List<String> windows = titles("Windows Server 2019", goMemory);
        assertTrue(windows.stream().anyMatch(t -> t.contains("UMDH")) && windows.stream().anyMatch(t -> t.contains("VMMap")));
        LeakVerdict handles = suspect(info("agent", "agent"), false, true);
        assertEquals(1, titles("Linux", handles).size(), "a handle leak gets handle steps only");
        assertTrue(titles("Linux", handles).get(0).contains("file descriptors"));
        assertTrue(titles("Windows", handles).get(0).contains("Handle"));
        assertEquals(2 + 3, titles("Linux", suspect(info("java", "java -jar x.jar"), true, false)).size(), "JVM: heap, dump, then native");
    }

    @Test
    void hostileNamesStayOneWordInPosixSh() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        for (String name : HOSTILE) {
            // the words, as sh reads them back: printf prints each argument between brackets
            Shell.Line line = Shell.Line.of("printf", "[%s]\\n", Shell.name(name), Shell.glob("heaptrack." + name + ".", ".zst"));
            String out = sh(work, Shell.POSIX.render(line), System.getenv("PATH"));
            assertEquals("[" + name + "]\n[heaptrack." + name + ".*.zst]\n", out, "name " + name);
            assertFalse(Files.exists(work.resolve("x")), "name " + name + " ran a command");
        }
        // the wildcard still works: it matches the file heaptrack writes
        String name = "l;touch${IFS}x;";
        Files.createFile(work.resolve("heaptrack." + name + ".123.zst"));
        assertEquals("[heaptrack." + name + ".123.zst]\n",
                sh(work, Shell.POSIX.render(Shell.Line.of("printf", "[%s]\\n", Shell.glob("heaptrack." + name + ".", ".zst"))),
                        System.getenv("PATH")));
    }

    @Test
    void everyLinuxNextStepRunsWithHostileNamesWithoutRunningThem() throws Exception {
        Path work = Files.createDirectories(dir.resolve("run"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("touch"), Path.of("/usr/bin/touch")); // the command an injection would run
        for (String name : HOSTILE) {
            for (String cmdline : List.of("", "/opt/" + name + "/bin/agent --x", "java -jar " + name + ".jar", "python3 " + name)) {
                ProcessInfo info = ProcessInfo.of(name, 4242, 1, 1, "svc", cmdline, T0);
                for (LeakVerdict v : List.of(suspect(info, true, false), suspect(info, false, true))) {
                    for (NextSteps.Step step : NextSteps.forProcess("Linux", v)) {
                        for (Shell.Line line : step.commands()) {
                            stubPrograms(bin, line);
                            Ran ran = run(work, Shell.POSIX.render(line), bin.toString());
                            // 2 is dash's status for a line it cannot parse (an unterminated quote); 127, a program
                            // this test has no stand-in for, is expected
                            assertTrue(ran.status() != 2, "name " + name + ": " + Shell.POSIX.render(line) + " -> " + ran.output());
                            assertFalse(Files.exists(work.resolve("x")), "name " + name + ": " + Shell.POSIX.render(line));
                        }
                    }
                }
            }
        }
    }

    /**
     * The jemalloc step restarts the program as argv[0] names it. On Linux argv[0] is a word of its
     * own whatever it holds: a leading '"' is part of the program's name, not a Windows quote.
     */
    @Test
    void theJemallocStepRunsTheProgramWhateverItsFirstWordHolds() throws Exception {
        Path work = Files.createDirectories(dir.resolve("jemalloc"));
        Path bin = Files.createDirectories(dir.resolve("jemalloc-bin"));
        for (String argv0 : List.of("\"agent", "\"agent\"", "\"a\"b", "agent\"", "l;touch${IFS}x;", "/opt/app/bin/agent")) {
            String program = argv0.startsWith("/") ? "agent" : argv0;
            Path stub = bin.resolve(program);
            Files.writeString(stub, "#!/bin/sh\nprintf 'ran [%s]' \"$@\"; echo\n");
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
            String firstWord = argv0.startsWith("/") ? bin.resolve("agent").toString() : argv0;
            ProcessInfo info = info("agent", firstWord + " --port 9 --name x");
            Shell.Line line = NextSteps.forProcess("Linux", suspect(info, true, false)).stream()
                    .filter(s -> s.title().contains("jemalloc")).findFirst().orElseThrow().commands().get(0);
            Ran ran = run(work, Shell.POSIX.render(line), bin.toString());
            assertTrue(ran.output().contains("ran [...]"), "argv0 " + argv0 + ": " + Shell.POSIX.render(line) + " -> " + ran.output());
            assertEquals(0, ran.status(), ran.output());
            assertFalse(Files.exists(work.resolve("x")), Shell.POSIX.render(line));
        }
    }

    /** Stand-ins for the tools (heaptrack, pmap, jcmd, ...): they only print their arguments. */
    private static void stubPrograms(Path bin, Shell.Line line) throws Exception {
        boolean commandStart = true;
        for (Shell.Word w : line.words()) {
            if (w instanceof Shell.Op op) {
                commandStart = op.text().equals("|");
                continue;
            }
            if (commandStart && w instanceof Shell.Arg a) {
                Path stub = bin.resolve(a.text());
                if (!Files.exists(stub)) {
                    Files.writeString(stub, "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\"; done; echo\n");
                    Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            commandStart = false;
        }
    }

    @Test
    void powerShellQuotingFollowsTheLanguagesRules() {
        // PowerShell is not installed here; this checks the rendering against the verbatim-string rules of the
        // PowerShell language specification: '...' is literal, and any of ' ‘ ’ ‚ ‛ inside is written twice.
        for (String name : List.of("l;touch${IFS}x;", "a'b", "a\u2019b;$(touch x)", "`n`t", "-rf", "a,b", "@x", "$env:PATH")) {
            String rendered = Shell.POWERSHELL.render(Shell.Line.of("gflags", "/i", Shell.name(name + ".exe"), "+ust"));
            List<String> words = powerShellWords(rendered);
            assertEquals(List.of("gflags", "/i", name + ".exe", "+ust"), words, rendered);
        }
        assertEquals("procdump -accepteula -ma -m 150 4242", Shell.POWERSHELL.render(Shell.Line.of("procdump", "-accepteula", "-ma",
                "-m", 150, "4242")));
        assertEquals("'a,b'", Shell.POWERSHELL.quote("a,b"), "a comma would make an array");
    }

    /** Words of a PowerShell command line made of bare words and verbatim strings only. */
    private static List<String> powerShellWords(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ') {
                i++;
                continue;
            }
            StringBuilder w = new StringBuilder();
            if (isQuote(c)) {
                i++;
                while (true) {
                    assertTrue(i < line.length(), "unterminated string in " + line);
                    char d = line.charAt(i);
                    if (isQuote(d)) {
                        if (i + 1 < line.length() && isQuote(line.charAt(i + 1))) {
                            w.append(d);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    w.append(d);
                    i++;
                }
                assertTrue(i >= line.length() || line.charAt(i) == ' ', "a string ends a word: " + line);
            } else {
                while (i < line.length() && line.charAt(i) != ' ') {
                    char d = line.charAt(i);
                    assertFalse("$`@;|&(){}\"',<>".indexOf(d) >= 0 || isQuote(d), "special character outside quotes: " + line);
                    w.append(d);
                    i++;
                }
            }
            words.add(w.toString());
        }
        return words;
    }

    private static boolean isQuote(char c) {
        return c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B';
    }

    /** What a shell line printed (stdout and stderr) and its exit status. */
    private record Ran(String output, int status) {
    }

    private static String sh(Path cwd, String script, String path) throws Exception {
        Ran ran = run(cwd, script, path);
        assertTrue(ran.status() != 2, "sh could not parse " + script + ": " + ran.output());
        return ran.output();
    }

    private static Ran run(Path cwd, String script, String path) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", path);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return new Ran(out, p.exitValue());
    }

    private static ProcessInfo info(String name, String cmdline) {
        return ProcessInfo.of(name, 4242, 1, 1, "svc", cmdline, T0);
    }

    private static List<String> titles(String os, LeakVerdict v) {
        return NextSteps.forProcess(os, v).stream().map(NextSteps.Step::title).toList();
    }

    /** A verdict that is a suspect on memory, handles or both. */
    private static LeakVerdict suspect(ProcessInfo info, boolean memory, boolean handles) {
        ResourceVerdict yes = new ResourceVerdict(null, ResourceVerdict.Outcome.SUSPECT, "grows");
        ResourceVerdict no = new ResourceVerdict(null, ResourceVerdict.Outcome.STABLE, "flat");
        return new LeakVerdict(info, 86400, 100 * MIB, 150, memory ? yes : no, handles ? yes : no, Double.NaN,
                FloorHistory.Buckets.EMPTY, List.of(), Double.NaN);
    }
}
