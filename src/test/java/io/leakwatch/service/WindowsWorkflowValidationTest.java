package io.leakwatch.service;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Windows workflow against GitHub's workflow schema, with action-validator (from npm, a pinned
 * version run by npx): it cannot run here, but it must be a workflow GitHub accepts. A broken copy
 * is refused, so a pass means something.
 */
@Tag("system")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class WindowsWorkflowValidationTest {
    static final String VALIDATOR = "@action-validator/cli@0.6.0";

    @TempDir
    Path dir;

    @BeforeAll
    static void needsNpx() {
        boolean npx = Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "npx")));
        if (!npx) {
            String reason = "not installed: npx (Debian packages nodejs and npm; .ci/run installs them)";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            System.out.println("SKIPPED the workflow's validation: " + reason);
            Assumptions.abort(reason);
        }
    }

    private static Result validate(Path workflow) throws Exception {
        Process p = new ProcessBuilder("npx", "--yes", VALIDATOR, workflow.toString()).redirectErrorStream(true).start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        reader.start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("the validator did not finish within 8 minutes");
        }
        reader.join(10_000);
        return new Result(p.exitValue(), new String(out[0] == null ? new byte[0] : out[0], StandardCharsets.UTF_8));
    }

    private record Result(int code, String output) {
    }

    @Test
    void theWindowsWorkflowIsValid() throws Exception {
        Result result = validate(Path.of(".github/workflows/windows.yml"));
        assertEquals(0, result.code, result.output);
    }

    @Test
    void aBrokenWorkflowIsRefused() throws Exception {
        String workflow = Files.readString(Path.of(".github/workflows/windows.yml"));
        for (String broken : List.of(workflow.replace("runs-on: windows-latest", "runs_on: windows-latest"),
                workflow.replace("timeout-minutes: 45", "timeout-minutes: forty-five"))) {
            assertNotEquals(workflow, broken);
            Path copy = dir.resolve("broken.yml");
            Files.writeString(copy, broken);
            Result result = validate(copy);
            assertNotEquals(0, result.code, "accepted a broken workflow: " + result.output);
        }
    }
}
