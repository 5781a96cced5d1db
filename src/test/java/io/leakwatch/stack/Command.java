package io.leakwatch.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real tool (promtool, python3, mvn, java) with a deadline and keeps its output. */
record Command(List<String> argv, Path workDir, Duration timeout) {

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    static Result run(Path workDir, Duration timeout, String... argv) {
        return new Command(List.of(argv), workDir, timeout).run();
    }

    Result run() {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile()).redirectErrorStream(true);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + argv.get(0) + " (is it installed? see .ci/run): " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            // Drained on its own thread so a chatty tool cannot block on a full pipe.
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // process killed: keep what was read
                }
            }, "command-output");
            reader.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                reader.join(5000);
                throw new AssertionError(argv + " did not finish within " + timeout + ":\n" + out);
            }
            reader.join(10000);
            return new Result(process.exitValue(), out.toString());
        } catch (InterruptedException | IOException e) {
            process.destroyForcibly();
            throw new AssertionError(e);
        }
    }
}
