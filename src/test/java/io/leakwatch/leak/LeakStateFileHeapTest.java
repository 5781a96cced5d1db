package io.leakwatch.leak;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The largest history the default settings keep (5,000 processes and every past life) saves, restores and is
 * judged within the launcher's heap: a child JVM with the launcher's own JVM flags (src/main/dist/leakwatch) runs
 * {@link StateFileHeapProbe}.
 */
class LeakStateFileHeapTest {
    @TempDir
    Path dir;

    static List<String> launcherJvmFlags() throws Exception {
        String script = Files.readString(Path.of("src/main/dist/leakwatch"));
        Matcher m = Pattern.compile("LEAKWATCH_DEFAULT_JVM_OPTS=\"([^\"]*)\"").matcher(script);
        assertTrue(m.find(), "the launcher sets LEAKWATCH_DEFAULT_JVM_OPTS");
        List<String> flags = new ArrayList<>(Arrays.asList(m.group(1).replace("\\\n", " ").trim().split("\\s+")));
        assertTrue(flags.stream().anyMatch(f -> f.startsWith("-Xmx")), flags.toString());
        return flags;
    }

    @Test
    void theLargestHistorySavesAndRestoresWithinTheLaunchersHeap() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launcherJvmFlags());
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                StateFileHeapProbe.class.getName(), dir.resolve("leak-state.json").toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe hung");
        System.out.println("state file at the caps, launcher flags " + launcherJvmFlags() + ": " + out.trim());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("entries=" + (LeakDetector.MAX_PROCESSES + PastLives.MAX_LIVES)), out);
        assertTrue(out.contains("tracked=" + LeakDetector.MAX_PROCESSES), out);
        assertTrue(out.contains("pastLives=" + PastLives.MAX_LIVES + " "),
                "every past life the caps allow is restored: " + out);
    }
}
