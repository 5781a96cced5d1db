package io.leakwatch.stack;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * podman as this machine runs it: as root, with the runc runtime (crun fails on hybrid cgroups) and
 * rlimits below the defaults (the defaults are refused). Names carry one random tag per test run,
 * so runs of several developers at once never meet.
 */
final class Podman {
    static final List<String> ULIMITS = List.of("--ulimit", "nofile=1024:4096", "--ulimit", "nproc=1024:2048");
    /** One per JVM: every image, container and volume of this run starts with it. */
    static final String RUN = "leakwatch-test-" + UUID.randomUUID().toString().substring(0, 8);

    private Podman() {
    }

    /**
     * The tools exist, or the test is skipped with the reason printed; in CI (CI=true) a missing
     * tool fails instead, because .ci/run installs them.
     */
    static void require(String... tools) {
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (onPath(tool) == null) {
                missing.add(tool);
            }
        }
        if (missing.isEmpty()) {
            assertTrue("root".equals(System.getProperty("user.name")),
                    "the container tests run podman as root (--pid=host, host /proc); run them as root");
            return;
        }
        String reason = "not installed: " + String.join(", ", missing) + " (Debian packages; .ci/run installs them)";
        if ("true".equals(System.getenv("CI"))) {
            fail(reason);
        }
        System.out.println("SKIPPED container tests: " + reason);
        Assumptions.abort(reason);
    }

    private static Path onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** podman --runtime runc ARGS. */
    static Command.Result run(Duration timeout, List<String> args) {
        List<String> argv = new ArrayList<>(List.of("podman", "--runtime", "runc"));
        argv.addAll(args);
        return new Command(argv, StackFiles.ROOT, timeout).run();
    }

    static Command.Result run(Duration timeout, String... args) {
        return run(timeout, List.of(args));
    }

    /** Like {@link #run} but fails the test with podman's output when it exits non-zero. */
    static String ok(Duration timeout, String... args) {
        Command.Result r = run(timeout, args);
        assertTrue(r.ok(), "podman " + String.join(" ", args) + " failed:\n" + r.output());
        return r.output();
    }

    /** The last line podman printed, without the systemd health-check timer noise of a host without systemd. */
    static String lastLine(String output) {
        List<String> lines = output.lines().filter(l -> !l.contains("level=error msg=\"unable to get systemd")
                && !l.contains("level=error msg=\"Removing timer")).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).trim();
    }
}
