package io.leakwatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Out of memory, the launcher's JVM stops at once with exit code 3 (-XX:+ExitOnOutOfMemoryError),
 * as the exit codes in docs/flags.md say, rather than limping on with a half-dead heap. A heap too small to
 * start in makes the out-of-memory error certain; what follows it is the same for any cause.
 */
class LauncherExitCodeTest {
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void outOfMemoryExitsThreeAsDocumented() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of("src/main/dist/leakwatch").toAbsolutePath().toString(),
                "--web.listen-address=127.0.0.1:0", "--leak.state-file=");
        pb.environment().put("LEAKWATCH_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("JAVA_OPTS", "-Xms4m -Xmx4m -Xmn2m"); // appended after the defaults, so it wins
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not exit");
        assertEquals(3, p.exitValue(), output);
        assertTrue(output.contains("OutOfMemoryError"), output);
        String flagsPage = Files.readString(Path.of("docs/flags.md"));
        for (String documented : List.of("`0` normal stop", "`2` a mistake", "`3` out of memory", "`1` anything else")) {
            assertTrue(flagsPage.contains(documented), "the exit codes in docs/flags.md lack " + documented);
        }
    }
}
