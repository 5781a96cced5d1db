package io.leakwatch.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke run of src/bench/bench.sh (the benchmark itself, not a timed test): a small N against the
 * real process-exporter, through the real launcher, checking that every figure comes out and the
 * leakwatch body passes promtool. Thresholds are deliberately absent: speed is judged by a full run.
 */
@Tag("system")
class BenchmarkSmokeTest {
    private static final int N = 20;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void benchmarkRunsEndToEndAndReportsEveryFigure(@TempDir Path out) throws Exception {
        Path script = Path.of("src/bench/bench.sh").toAbsolutePath();
        assertTrue(Files.isExecutable(script), script + " is executable");
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "-N", Integer.toString(N), "-K", "3", "-W", "1",
                "-L", "30", "-p", Integer.toString(freePortPair()), "-o", out.toString());
        // The launcher runs io.leakwatch.Main from the build's class path (the shaded jar comes later, at package).
        pb.environment().put("LEAKWATCH_CLASSPATH", testClassPath());
        pb.redirectErrorStream(true);
        Process bench = pb.start();
        String output = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bench.waitFor(120, TimeUnit.SECONDS), "bench.sh finished");
        assertEquals(0, bench.exitValue(), "bench.sh exit code; output:\n" + output);

        Map<String, String> result = resultLine(output, "RESULT n=");
        assertEquals(Integer.toString(N), result.get("n"), output);
        for (String key : List.of("lw_med_ms", "pe_med_ms", "lw_p99_ms", "lw_cpu_ms", "pe_cpu_ms", "lw_rss_mb",
                "pe_rss_mb", "lw_start_s", "pe_start_s", "floor_ms", "floor_files_ms")) {
            assertTrue(result.get(key).matches("[0-9]+(\\.[0-9]+)?"), key + " is a number: " + result.get(key));
        }
        assertEquals("0", result.get("lw_non200"), output);
        assertEquals("0", result.get("pe_non200"), output);
        // every spawned process shows up in both exporters (several series each)
        assertTrue(Integer.parseInt(result.get("lw_series")) > N * 10, output);
        assertTrue(Integer.parseInt(result.get("pe_series")) > N * 10, output);
        assertTrue(Integer.parseInt(result.get("lw_gzip")) < Integer.parseInt(result.get("lw_bytes")), output);

        Map<String, String> longRun = resultLine(output, "RESULT long ");
        assertTrue(longRun.get("growth_mb").matches("-?[0-9]+\\.[0-9]+"), output);

        Path body = out.resolve("leakwatch-N" + N + ".txt");
        assertTrue(Files.readString(body).contains("windows_process_working_set_private_bytes{process=\"sleep\""),
                "the spawned sleeps are in leakwatch's body");
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(body.toFile())
                .redirectErrorStream(true).start();
        String lint = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, promtool.exitValue(), "promtool check metrics: " + lint);
    }

    private static Map<String, String> resultLine(String output, String prefix) {
        for (String line : output.split("\n")) {
            if (line.startsWith(prefix)) {
                Map<String, String> values = new HashMap<>();
                for (String field : line.substring("RESULT ".length()).split(" ")) {
                    int eq = field.indexOf('=');
                    if (eq > 0) {
                        values.put(field.substring(0, eq), field.substring(eq + 1));
                    }
                }
                return values;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' in:\n" + output);
    }

    /** Surefire may hide the class path behind a manifest jar; it also publishes it as a property. */
    private static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** Two consecutive free ports (leakwatch, process-exporter). */
    private static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (java.net.ServerSocket a = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                int port = a.getLocalPort();
                if (port < 65535) {
                    try (java.net.ServerSocket b = new java.net.ServerSocket(port + 1, 1, java.net.InetAddress.getLoopbackAddress())) {
                        return port;
                    } catch (IOException taken) {
                        // try another pair
                    }
                }
            }
        }
        throw new IOException("no two consecutive free ports on loopback");
    }
}
