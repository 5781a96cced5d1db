package io.leakwatch.stack;

import io.leakwatch.testing.Http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A leakwatch started by a test (any command line), listening on a free loopback port, its output in a log file. */
final class LocalExporter implements AutoCloseable {
    final int port;
    private final Process process;
    private final Path log;

    private LocalExporter(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Runs argv with --web.listen-address=127.0.0.1:PORT appended. */
    static LocalExporter start(List<String> argv, Path log) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(argv);
        command.add("--web.listen-address=127.0.0.1:" + port);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new LocalExporter(port, process, log);
    }

    /** The java of this JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Scrapes /metrics until a body satisfies ready; fails with the log if the process exits or time runs out. */
    String awaitScrape(Predicate<String> ready, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("leakwatch exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<String> r = Http.get("http://127.0.0.1:" + port + "/metrics");
                if (r.statusCode() == 200 && ready.test(r.body())) {
                    return r.body();
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no ready scrape from leakwatch within " + limit + ":\n" + log());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - 3000));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
