package io.leakwatch.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the real `promtool check metrics` (Debian package prometheus) on a scrape body. */
public final class Promtool {
    private Promtool() {
    }

    public static String binary() {
        for (String candidate : new String[]{"/usr/bin/promtool", "/usr/local/bin/promtool"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new AssertionError("promtool not found: install Debian package 'prometheus' (.ci/run does)");
    }

    /** Fails the test unless promtool accepts the body (lint problems are printed but not fatal). */
    public static void assertValidMetrics(String body) {
        assertValidMetrics(body.getBytes(StandardCharsets.UTF_8));
    }

    public static void assertValidMetrics(byte[] body) {
        try {
            Process p = new ProcessBuilder(binary(), "check", "metrics").redirectErrorStream(true).start();
            p.getOutputStream().write(body);
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool hung");
            // exit 0 = ok, 3 = lint warnings only (e.g. naming conventions), 1 = parse error
            int rc = p.exitValue();
            assertTrue(rc == 0 || rc == 3, "promtool check metrics rejected the scrape (rc " + rc + "): " + out);
            assertEquals(false, out.contains("error while linting"), out);
        } catch (IOException e) {
            throw new AssertionError("cannot run promtool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
