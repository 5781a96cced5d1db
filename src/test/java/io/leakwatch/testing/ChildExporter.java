package io.leakwatch.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** leakwatch in its own JVM (java -cp <test classpath> io.leakwatch.Main), as an operator runs it. */
public final class ChildExporter implements AutoCloseable {
    private static final Pattern PORTS = Pattern.compile("\\(ports \\[(\\d+)");

    public final Process process;
    public final int port;
    private final List<String> stderr;
    private final Thread stderrReader;

    private ChildExporter(Process process, int port, List<String> stderr, Thread stderrReader) {
        this.process = process;
        this.port = port;
        this.stderr = stderr;
        this.stderrReader = stderrReader;
    }

    public static ChildExporter start(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = java(jvmOptions);
        cmd.add("--web.listen-address=127.0.0.1:0");
        cmd.add("--log.file=stderr"); // the log is read from stderr; stdout is the default, as in windows_exporter
        cmd.addAll(List.of(args));
        return spawn(new ProcessBuilder(cmd));
    }

    /** {@code java <options> -cp <test class path> io.leakwatch.Main}. */
    private static List<String> java(List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // a short-lived test child: the launcher's cheap JIT and GC start it in less CPU (the caller's options win)
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.leakwatch.Main");
        return cmd;
    }

    /** What a run that ends by itself left: its exit code and everything it printed. */
    public record Exit(int code, String out, String err) {
    }

    /** leakwatch with exactly these arguments, in its own JVM, for a run that ends (a usage error, --help). */
    public static Exit run(String... args) throws IOException, InterruptedException {
        List<String> cmd = java(List.of());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        byte[] err = readAll(p.getErrorStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("leakwatch did not exit within 60 s: " + new String(err, StandardCharsets.UTF_8));
        }
        return new Exit(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * leakwatch through the shipped launcher (src/main/dist/leakwatch), so with the JVM flags an
     * operator gets (small heap, exit on OutOfMemoryError), running the build's class path.
     */
    public static ChildExporter launch(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of("src/main/dist/leakwatch").toAbsolutePath().toString());
        cmd.add("--web.listen-address=127.0.0.1:0");
        cmd.add("--log.file=stderr");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LEAKWATCH_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().remove("JAVA_OPTS");
        pb.environment().putAll(env);
        return spawn(pb);
    }

    private static ChildExporter spawn(ProcessBuilder builder) throws IOException, InterruptedException {
        Process p = builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<Integer> port = new java.util.concurrent.CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                    Matcher m = PORTS.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
            port.complete(-1);
            synchronized (lines) {
                lines.notifyAll(); // the end of the log: waiters stop waiting
            }
        }, "child-stderr");
        reader.setDaemon(true);
        reader.start();
        int bound;
        try {
            bound = port.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("leakwatch did not start: " + lines, e);
        }
        if (bound < 0) {
            throw new IOException("leakwatch exited during startup: " + lines);
        }
        return new ChildExporter(p, bound, lines, reader);
    }

    public long pid() {
        return process.pid();
    }

    /** {@link ProcFixture#awaitBlockedOnPipe} for the child. */
    public void awaitBlockedOnPipe() throws IOException, InterruptedException {
        ProcFixture.awaitBlockedOnPipe(pid());
    }

    public void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start().waitFor();
    }

    /** The log so far (stderr), one entry per line; once the child has exited, all of it. */
    public List<String> log() {
        if (!process.isAlive()) {
            try {
                stderrReader.join(5000); // the reader still drains the pipe after the exit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return List.copyOf(stderr);
    }

    /**
     * Waits for the first log line that {@code matches} (one already read counts), as it is written:
     * the event a test waits for instead of sleeping. Fails when the log ends first, or after 60 s.
     */
    public String awaitLog(String what, java.util.function.Predicate<String> matches) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (stderr) {
            for (int seen = 0; ; ) {
                for (; seen < stderr.size(); seen++) {
                    if (matches.test(stderr.get(seen))) {
                        return stderr.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (!stderrReader.isAlive() || left <= 0) {
                    throw new AssertionError("no log line " + what + (stderrReader.isAlive() ? " within 60 s" : " before the log ended")
                            + ":\n" + String.join("\n", stderr));
                }
                TimeUnit.NANOSECONDS.timedWait(stderr, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            }
        }
    }

    /** Lines that show an exception or a stack trace. */
    public List<String> exceptionLines() {
        return stderr.stream().filter(l -> l.contains("Exception") || l.startsWith("\tat ") || l.contains("level=ERROR")).toList();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
