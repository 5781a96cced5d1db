package io.leakwatch.hardening;

import io.leakwatch.testing.Http;
import io.leakwatch.testing.RawHttp;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus' part in the attack tests: an authenticated scrape of /metrics every
 * {@code periodMillis}, each on a new connection from 127.0.0.1 (the hardest case: it has to get
 * through whatever the attacker holds, TLS handshake included), timing each from connect to
 * the last byte.
 */
final class Scraper implements AutoCloseable {
    private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_bytes_used\\{area=\"heap\",?} (\\S+)$");

    private final int port;
    private final SSLContext tls; // null: plain HTTP
    private final String authorization; // null: none
    private final long periodMillis;
    private final List<Double> millis = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private volatile double maxHeapBytes;
    private volatile String lastBody = "";
    private volatile double maxConnectMillis; // TCP connect only: the kernel's accept queue, before leakwatch sees anything
    private volatile boolean running = true;
    private final Thread thread;

    Scraper(int port, SSLContext tls, String user, String password, long periodMillis) {
        this.port = port;
        this.tls = tls;
        this.authorization = user == null ? null
                : Http.basic(user, password);
        this.periodMillis = periodMillis;
        this.thread = new Thread(this::loop, "scraper");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            long start = System.nanoTime();
            try {
                String response = scrape();
                double ms = (System.nanoTime() - start) / 1e6;
                if (!response.startsWith("HTTP/1.1 200 ") || !response.contains("windows_exporter_collector_success{collector=\"process\",} 1.0")) {
                    failures.add(response.lines().findFirst().orElse("(empty)"));
                } else {
                    millis.add(ms);
                    lastBody = response;
                    Matcher m = HEAP.matcher(response);
                    if (m.find()) {
                        maxHeapBytes = Math.max(maxHeapBytes, Double.parseDouble(m.group(1)));
                    }
                }
            } catch (IOException e) {
                failures.add(e.toString());
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private String scrape() throws IOException {
        try (Socket raw = new Socket()) {
            raw.bind(new InetSocketAddress("127.0.0.1", 0));
            long connectStart = System.nanoTime();
            raw.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            maxConnectMillis = Math.max(maxConnectMillis, (System.nanoTime() - connectStart) / 1e6);
            raw.setSoTimeout(10_000);
            Socket s = raw;
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(raw, "127.0.0.1", port, true);
                ssl.startHandshake();
                s = ssl;
            }
            s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(RawHttp.readAll(s.getInputStream()), StandardCharsets.UTF_8);
        }
    }

    /** Waits for the first successful scrape (cold start, first password check), then forgets it and any failure before it. */
    Scraper warmedUp() throws InterruptedException {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (millis.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        if (millis.isEmpty()) {
            throw new AssertionError("no successful scrape within 60 s: " + failures);
        }
        millis.clear();
        failures.clear();
        maxConnectMillis = 0;
        return this;
    }

    /** Waits until {@code n} scrapes were tried since {@link #warmedUp}, or the time is over; returns how many were. */
    int awaitAttempts(int n, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (attempts() < n && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        return attempts();
    }

    /** Scrapes tried since {@link #warmedUp}: those that succeeded and those that failed. */
    int attempts() {
        return millis.size() + failures.size();
    }

    /** Scrapes that succeeded since {@link #warmedUp}. */
    int successes() {
        return millis.size();
    }

    /** Latencies of the successful scrapes so far, sorted. */
    List<Double> sortedMillis() {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return sorted;
    }

    /** The last successful scrape's whole response. */
    String lastBody() {
        return lastBody;
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    double maxHeapMiB() {
        return maxHeapBytes / (1024 * 1024);
    }

    /** "n=…, median=… ms, max=… ms". */
    String summary() {
        List<Double> s = sortedMillis();
        if (s.isEmpty()) {
            return "0 of " + attempts() + " through";
        }
        return String.format("%d of %d through, median=%.0f ms p99=%.0f ms max=%.0f ms (longest TCP connect %.0f ms) heap_max=%.1f MiB",
                s.size(), attempts(), s.get(s.size() / 2), p99(),
                s.get(s.size() - 1), maxConnectMillis, maxHeapMiB());
    }

    /** The 99th percentile of the successful scrapes' times (nearest rank). */
    double p99() {
        List<Double> s = sortedMillis();
        return s.isEmpty() ? Double.NaN : s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.99) - 1));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(15_000);
    }
}
