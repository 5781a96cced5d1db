package io.leakwatch;

import io.leakwatch.config.UsageException;
import io.leakwatch.testing.ProcFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A regex that expands to a huge program (nested repetitions, Go's "invalid repeat count") is one
 * line and exit code 2 wherever it is given, never an out-of-memory stop (exit 3) of the
 * launcher's 64 MB heap.
 */
class HugeRegexTest {
    private static final String NESTED = "(a{1000}){1000}";
    private static final String LARGE = "(" + "abcdefghij".repeat(100) + "){1000}";

    @TempDir
    static Path tmp;
    static ProcFixture proc;

    @BeforeAll
    static void setUp() throws Exception {
        proc = new ProcFixture(tmp.resolve("proc"));
    }

    @Test
    void onTheCommandLine() {
        for (String flag : List.of("collector.process.include", "collector.process.exclude", "collector.process.cmdline-redact")) {
            for (String regex : List.of(NESTED, LARGE)) {
                String line = usageError("--" + flag + "=" + regex);
                assertTrue(line.contains("--" + flag), line);
                assertTrue(line.contains(regex == NESTED ? "invalid repeat count" : "expression too large"), line);
            }
        }
    }

    @Test
    void inAConfigFile() throws Exception {
        for (String key : List.of("include", "exclude", "cmdline-redact")) {
            Path file = tmp.resolve(key + ".yml");
            Files.writeString(file, "collector:\n  process:\n    " + key + ": '" + NESTED + "'\n");
            String line = usageError("--config.file=" + file);
            assertTrue(line.contains(key) && line.contains("invalid repeat count"), line);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theLauncherExitsTwoNotThree() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of("src/main/dist/leakwatch").toAbsolutePath().toString(),
                "--web.listen-address=127.0.0.1:0", "--leak.state-file=", "--collector.process.include=" + NESTED);
        pb.environment().put("LEAKWATCH_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().remove("JAVA_OPTS");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), "the launcher did not exit");
        assertEquals(2, p.exitValue(), output);
        assertEquals(1, output.strip().lines().count(), output);
        assertTrue(output.contains("invalid repeat count"), output);
    }

    private static String usageError(String... flags) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("--web.listen-address=127.0.0.1:0", "--path.procfs=" + proc.root(),
                "--leak.state-file="));
        args.addAll(List.of(flags));
        int code = Main.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(UsageException.EXIT_CODE, code, "exit code for " + args + ", stderr: " + text);
        assertEquals(1, text.strip().lines().count(), "one line expected: " + text);
        assertTrue(!text.contains("Exception") && !text.contains("\tat "), "no stack trace: " + text);
        return text;
    }
}
