package io.leakwatch;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run behind the class archive that the Linux launcher and the container image map at start
 * (pom.xml, docker/Dockerfile): the JVM runs it under {@code -XX:DumpLoadedClassList}, then
 * {@code -Xshare:dump} archives the classes it listed, parsed and verified once at build time instead of at
 * every start.
 * <p>
 * It starts leakwatch as the launcher does (default flags, on a free loopback port, with a leak state file of
 * its own in the given folder), asks for every page once as a scraper and a browser do, and stops it; then
 * starts it once more, so that reading the state file at start is trained too. It talks to nothing but itself
 * on 127.0.0.1, and a watchdog ends the JVM with exit code 1 if it takes longer than {@link #TIME_LIMIT_MILLIS}.
 * Exit code 0 when every page answered as expected, 1 otherwise (the build stops there).
 */
public final class ArchiveTraining {
    static final long TIME_LIMIT_MILLIS = 120_000;
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    /** A request and the status it must get. */
    record Page(String method, String path, String headers, int status) {
    }

    static final List<Page> PAGES = List.of(
            new Page("GET", "/metrics", "", 200),
            new Page("GET", "/metrics", "Accept-Encoding: gzip\r\n", 200),
            new Page("GET", "/metrics", "Accept: application/openmetrics-text; version=1.0.0\r\n", 200),
            new Page("HEAD", "/metrics", "", 200),
            new Page("GET", "/", "", 200),
            new Page("GET", "/health", "", 200),
            new Page("GET", "/version", "", 200),
            new Page("GET", "/leaks", "", 200),
            new Page("GET", "/leaks.json", "", 200),
            new Page("GET", "/no-such-page", "", 404));

    private ArchiveTraining() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java -cp leakwatch.jar " + ArchiveTraining.class.getName() + " WORK_FOLDER");
            System.exit(2);
        }
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TIME_LIMIT_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("archive training: not done after " + TIME_LIMIT_MILLIS / 1000 + " s, giving up");
            Runtime.getRuntime().halt(1);
        }, "archive-training-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Path folder = Path.of(args[0]);
            Files.createDirectories(folder);
            Path stateFile = folder.resolve("leak-state.json");
            Files.deleteIfExists(stateFile);
            round(stateFile, System.err); // writes the state file when it stops
            round(stateFile, System.err); // reads it at start
        } catch (IOException | RuntimeException e) {
            System.err.println("archive training: " + e);
            System.exit(1);
        }
        System.exit(0); // the JVM writes nothing at exit: the class list is complete
    }

    private static void round(Path stateFile, PrintStream log) throws IOException {
        int port = freeLoopbackPort();
        int code = Main.run(List.of("--web.listen-address=127.0.0.1:" + port, "--leak.state-file=" + stateFile), log, log);
        if (code != 0) {
            throw new IllegalStateException("leakwatch did not start (exit code " + code + ")");
        }
        try {
            for (Page page : PAGES) {
                int status = status(port, page);
                if (status != page.status()) {
                    throw new IllegalStateException(page.method() + " " + page.path() + " answered " + status
                            + ", expected " + page.status());
                }
            }
        } finally {
            Main.stop();
        }
    }

    /** Sends one request on a new connection and reads the whole answer; returns its status code. */
    static int status(int port, Page page) throws IOException {
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            channel.socket().setSoTimeout(READ_TIMEOUT_MILLIS);
            String request = page.method() + " " + page.path() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + page.headers() + "Connection: close\r\n\r\n";
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            var in = channel.socket().getInputStream(); // blocking, with the timeout above
            byte[] head = in.readNBytes(12); // "HTTP/1.1 200"
            in.transferTo(java.io.OutputStream.nullOutputStream());
            String statusLine = new String(head, StandardCharsets.US_ASCII);
            if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
                throw new IOException(page.method() + " " + page.path() + ": not an HTTP answer: " + statusLine);
            }
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return probe.socket().getLocalPort();
        }
    }
}
