package io.leakwatch.http;

import io.leakwatch.http.HttpLimits;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.RawHttp;
import io.leakwatch.testing.RunningServer;
import io.leakwatch.testing.TestSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTTP hardening on loopback: methods, header size, error bodies, scrape cap, slow and idle clients. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HttpHardeningTest {
    @TempDir
    Path tmp;

    private RunningServer start(HttpLimits limits, String... extraArgs) throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(42, "worker", "/usr/bin/worker --port 1", 4096);
        List<String> args = new ArrayList<>(List.of("--path.procfs=" + proc.root()));
        args.addAll(List.of(extraArgs));
        return new RunningServer(TestSettings.of(args.toArray(new String[0])), limits);
    }

    private static final int PER_CLIENT = 16;

    private static HttpLimits limits(long idleMillis, long slowCheckMillis, int maxScrapes) {
        return new HttpLimits(8 * 1024, idleMillis, 2 * slowCheckMillis, maxScrapes, 128, PER_CLIENT, 3000);
    }

    /** Nothing in an answer may tell which server, which version or which code produced it. */
    static void assertNothingRevealed(String rawResponse) {
        String lower = rawResponse.toLowerCase(Locale.ROOT);
        for (String tell : List.of("jetty", "javalin", "exception", "\tat ", "server:", "x-powered-by", "io.leakwatch", "java.")) {
            assertFalse(lower.contains(tell), "response reveals '" + tell + "':\n" + rawResponse);
        }
    }

    @Test
    void onlyGetAndHeadAreServed() throws Exception {
        try (RunningServer s = start(limits(30_000, 5_000, 8))) {
            for (String path : List.of("/metrics", "/", "/health", "/version", "/nothing-here")) {
                for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND")) {
                    String target = method.equals("CONNECT") ? "127.0.0.1:" + s.port : path;
                    String r = RawHttp.exchange(s.port, method + " " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    if (method.equals("CONNECT")) {
                        // Jetty's parser rejects CONNECT to an origin server before any handler: 400, also fine
                        assertTrue(RawHttp.status(r) == 400 || RawHttp.status(r) == 405, r);
                    } else {
                        assertEquals(405, RawHttp.status(r), method + " " + path + ":\n" + r);
                        assertTrue(r.contains("Allow: GET, HEAD"), r);
                    }
                    assertNothingRevealed(r);
                }
            }
            String get = RawHttp.exchange(s.port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(200, RawHttp.status(get));
            assertTrue(get.contains("windows_process_private_bytes{process=\"worker\",process_id=\"42\",} 4194304.0"), get);
            assertNothingRevealed(get.substring(0, get.indexOf("\r\n\r\n")));
            String head = RawHttp.exchange(s.port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(200, RawHttp.status(head));
            assertEquals("", head.substring(head.indexOf("\r\n\r\n") + 4), "HEAD must not carry a body");
        }
    }

    @Test
    void errorsAreShortAndRevealNothing() throws Exception {
        try (RunningServer s = start(limits(30_000, 5_000, 8))) {
            String huge = "X-Big: " + "a".repeat(20_000) + "\r\n";
            String tooLarge = RawHttp.exchange(s.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n" + huge + "Connection: close\r\n\r\n");
            assertEquals(431, RawHttp.status(tooLarge), tooLarge);
            assertNothingRevealed(tooLarge);
            String notFound = RawHttp.exchange(s.port, "GET /no/such/page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(404, RawHttp.status(notFound));
            assertNothingRevealed(notFound);
            String garbage = RawHttp.exchange(s.port, "GET /metrics HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n");
            assertEquals(400, RawHttp.status(garbage), garbage);
            assertNothingRevealed(garbage);
            String badVersion = RawHttp.exchange(s.port, "GET /metrics HTTP/7.3\r\nHost: x\r\n\r\n");
            assertNothingRevealed(badVersion);
            String badCollector = RawHttp.exchange(s.port, "GET /metrics?collect[]=%00%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(400, RawHttp.status(badCollector));
            assertNothingRevealed(badCollector);
        }
    }

    @Test
    void concurrentScrapesAboveTheCapGet503AndTheCapIsReleased() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(42, "worker", "/usr/bin/worker", 4096);
        Path fifo = proc.blockingStat(42);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try (RunningServer s = new RunningServer(TestSettings.of("--path.procfs=" + proc.root(), "--web.max-requests=2"),
                limits(30_000, 5_000, 2))) {
            String scrape = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            List<Future<String>> inFlight = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                inFlight.add(clients.submit(() -> RawHttp.exchange(s.port, scrape)));
            }
            Thread.sleep(1500); // both are now waiting on the collection blocked on the pipe
            String third = RawHttp.exchange(s.port, scrape);
            assertEquals(503, RawHttp.status(third), third);
            assertTrue(third.contains("Limit of concurrent requests reached (2)"), third);
            assertTrue(third.contains("Retry-After: 1"), third);
            assertNothingRevealed(third);
            String health = RawHttp.exchange(s.port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(200, RawHttp.status(health), "the cap is for scrapes only");

            ProcFixture.release(fifo, 42, "worker");
            for (Future<String> f : inFlight) {
                String r = f.get(20, TimeUnit.SECONDS);
                assertEquals(200, RawHttp.status(r), r);
            }
            // permits came back: a stat file again, then two more scrapes in a row succeed
            java.nio.file.Files.delete(fifo);
            java.nio.file.Files.writeString(fifo, ProcFixture.stat(42, "worker", 1042));
            for (int i = 0; i < 3; i++) {
                assertEquals(200, RawHttp.status(RawHttp.exchange(s.port, scrape)));
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void slowAndIdleClientsDoNotBlockScrapesAndAreDisconnected() throws Exception {
        try (RunningServer s = start(limits(2_000, 700, 8))) {
            List<Socket> idle = new ArrayList<>();
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < PER_CLIENT / 2; i++) { // from another client address than the scraper
                    idle.add(connect(s.port));              // connects and sends nothing
                    Socket t = connect(s.port);              // sends a request one byte at a time
                    t.getOutputStream().write("GET /metrics HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                    slow.add(t);
                }
                byte[] drip = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                int scrapes = 0;
                for (int i = 0; System.nanoTime() < deadline; i++) {
                    for (Socket t : slow) {
                        if (!t.isClosed()) {
                            try {
                                t.getOutputStream().write(drip[i % drip.length]);
                            } catch (IOException closedByServer) {
                                t.close();
                            }
                        }
                    }
                    long start = System.nanoTime();
                    String r = RawHttp.exchange(s.port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                    assertEquals(200, RawHttp.status(r));
                    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "a scrape waited behind slow clients");
                    scrapes++;
                    Thread.sleep(100);
                }
                assertTrue(scrapes >= 10, "only " + scrapes + " scrapes in 5 s");
                // idle ones were cut by the 2 s idle timeout, tricklers by the slow-request check (2 x 0.7 s)
                for (Socket t : idle) {
                    assertClosedByServer(t);
                }
                for (Socket t : slow) {
                    if (!t.isClosed()) {
                        assertClosedByServer(t);
                    }
                }
            } finally {
                for (Socket t : idle) {
                    t.close();
                }
                for (Socket t : slow) {
                    t.close();
                }
            }
        }
    }

    @Test
    void headAnswersAsGetDoesAndNegotiationHonoursQuality() throws Exception {
        try (RunningServer s = start(limits(30_000, 5_000, 8))) {
            for (String path : List.of("/metrics", "/health", "/version", "/")) {
                String get = RawHttp.exchange(s.port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                String head = RawHttp.exchange(s.port, "HEAD " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertEquals(header(get, "Content-Type"), header(head, "Content-Type"), path + ":\n" + head);
                assertEquals(header(get, "Content-Length"), header(head, "Content-Length"), path + ":\n" + head);
                assertEquals("", head.substring(head.indexOf("\r\n\r\n") + 4), "HEAD must not carry a body");
            }
            java.util.Map<String, String> expected = new java.util.LinkedHashMap<>();
            expected.put("application/openmetrics-text;q=0,text/plain;q=0.5", "text/plain; version=0.0.4");
            expected.put("application/openmetrics-text; q=0.0", "text/plain; version=0.0.4");
            expected.put("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
                    "application/openmetrics-text; version=1.0.0");
            expected.put("application/openmetrics-text;q=0.5,text/plain", "text/plain; version=0.0.4");
            expected.put("application/openmetrics-text;q=bogus", "text/plain; version=0.0.4");
            expected.put("application/json", "text/plain; version=0.0.4");
            for (java.util.Map.Entry<String, String> e : expected.entrySet()) {
                String r = RawHttp.exchange(s.port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\nAccept: " + e.getKey()
                        + "\r\nConnection: close\r\n\r\n");
                assertTrue(header(r, "Content-Type").startsWith(e.getValue()), e.getKey() + " -> " + r);
            }
        }
    }

    private static String header(String rawResponse, String name) {
        for (String line : rawResponse.substring(0, rawResponse.indexOf("\r\n\r\n")).split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    @Test
    void onlyCanonicalPathsAreServedAndEveryWorkingEndpointIsLimited() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(42, "worker", "/usr/bin/worker", 4096);
        Path fifo = proc.blockingStat(42);
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try (io.leakwatch.Exporter e = io.leakwatch.Exporter.start(io.leakwatch.testing.TestSettings.of(
                "--path.procfs=" + proc.root(), "--web.max-requests=1", "--leak.state-file="))) {
            int port = e.ports().get(0);
            for (String path : List.of("/metrics/", "//metrics", "/METRICS", "/metrics;x", "/leaks/", "/leaks.json/")) {
                String r = RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertTrue(RawHttp.status(r) == 404 || RawHttp.status(r) == 400, path + ":\n" + r);
                assertNothingRevealed(r);
            }
            // one scrape holds the only permit while its collection waits on the pipe
            Future<String> scrape = clients.submit(() -> RawHttp.exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            Thread.sleep(1500);
            for (String path : List.of("/metrics", "/leaks", "/leaks.json")) {
                String r = RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertEquals(503, RawHttp.status(r), path + " is limited too:\n" + r);
            }
            assertEquals(200, RawHttp.status(RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
            ProcFixture.release(fifo, 42, "worker");
            assertEquals(200, RawHttp.status(scrape.get(20, TimeUnit.SECONDS)));
        } finally {
            clients.shutdownNow();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress("127.0.0.2", 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    private static void assertClosedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            byte[] rest = RawHttp.readAll(in);
            String text = new String(rest, StandardCharsets.ISO_8859_1);
            assertTrue(rest.length == 0 || text.startsWith("HTTP/1.1 4") || text.startsWith("HTTP/1.1 5"),
                    "expected the server to hang up, got: " + text);
        } catch (IOException e) {
            throw new AssertionError("the server kept a slow or idle connection open: " + e.getMessage());
        }
    }
}
