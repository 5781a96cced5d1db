package io.leakwatch.http;

import io.leakwatch.http.HttpLimits;
import io.leakwatch.testing.Await;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.RawHttp;
import io.leakwatch.testing.TestExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

/** HTTP hardening on loopback: methods, paths, error bodies, the work slots, the connection limit. No sleeps: every wait is for an event. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HttpHardeningTest {
    private static final String SCRAPE = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    @TempDir
    Path tmp;

    private ProcFixture proc() throws IOException {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(42, "worker", "/usr/bin/worker --port 1", 4096);
        return proc;
    }

    private TestExporter start(ProcFixture proc, HttpLimits limits, String... extraArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--path.procfs=" + proc.root()));
        args.addAll(List.of(extraArgs));
        return TestExporter.start(limits, args.toArray(new String[0]));
    }

    private TestExporter start(HttpLimits limits, String... extraArgs) throws Exception {
        return start(proc(), limits, extraArgs);
    }

    private static HttpLimits limits(long idleMillis, int maxRequests, int maxConnections) {
        return new HttpLimits(8 * 1024, idleMillis, maxRequests, maxConnections, 0);
    }

    /** Nothing in an answer may tell which server, which version or which code produced it; and nosniff is on it. */
    static void assertOwnAnswer(String rawResponse) {
        String lower = rawResponse.toLowerCase(Locale.ROOT);
        for (String tell : List.of("jetty", "javalin", "exception", "\tat ", "server:", "x-powered-by", "io.leakwatch", "java.", "<html")) {
            assertFalse(lower.contains(tell), "response reveals '" + tell + "':\n" + rawResponse);
        }
        if (!rawResponse.isEmpty()) {
            assertTrue(rawResponse.contains("\r\nX-Content-Type-Options: nosniff\r\n"), "no nosniff:\n" + rawResponse);
        }
    }

    @Test
    void onlyGetAndHeadAreServed() throws Exception {
        try (TestExporter s = start(limits(30_000, 8, 128))) {
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
                    assertOwnAnswer(r);
                }
            }
            String get = RawHttp.exchange(s.port, SCRAPE);
            assertEquals(200, RawHttp.status(get));
            assertTrue(get.contains("windows_process_private_bytes{process=\"worker\",process_id=\"42\",} 4194304.0"), get);
            assertOwnAnswer(get.substring(0, get.indexOf("\r\n\r\n") + 2));
            String head = RawHttp.exchange(s.port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(200, RawHttp.status(head));
            assertEquals("", head.substring(head.indexOf("\r\n\r\n") + 4), "HEAD must not carry a body");
        }
    }

    @Test
    void errorsAndOddPathsAreShortOwnAnswers() throws Exception {
        try (TestExporter s = start(limits(30_000, 8, 128))) {
            String huge = "X-Big: " + "a".repeat(20_000) + "\r\n";
            String tooLarge = RawHttp.exchange(s.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n" + huge + "Connection: close\r\n\r\n");
            assertEquals(431, RawHttp.status(tooLarge), tooLarge);
            assertOwnAnswer(tooLarge);
            for (String path : List.of("/no/such/page", "/a/../metrics", "/metrics/", "//metrics", "/METRICS", "/metrics;x",
                    "/%6detrics", "/./metrics", "/metrics/.", "/health/..", "/%2e%2e/metrics", "/a/%2e%2e/metrics")) {
                String r = RawHttp.exchange(s.port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertTrue(RawHttp.status(r) == 404 || RawHttp.status(r) == 400, path + ":\n" + r);
                assertOwnAnswer(r);
            }
            String garbage = RawHttp.exchange(s.port, "GET /metrics HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n");
            assertEquals(400, RawHttp.status(garbage), garbage);
            assertOwnAnswer(garbage);
            assertOwnAnswer(RawHttp.exchange(s.port, "GET /metrics HTTP/7.3\r\nHost: x\r\n\r\n"));
            for (String host : List.of("[::1", "a".repeat(3000) + ":99999", "[zz::1]:80")) {
                String r = RawHttp.exchange(s.port, "GET /metrics HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
                assertEquals(400, RawHttp.status(r), host + ":\n" + r);
                assertOwnAnswer(r);
            }
            String twoHosts = RawHttp.exchange(s.port, "GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n");
            assertEquals(400, RawHttp.status(twoHosts), twoHosts);
            String badCollector = RawHttp.exchange(s.port, "GET /metrics?collect[]=%00%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(400, RawHttp.status(badCollector));
            assertOwnAnswer(badCollector);
        }
    }

    @Test
    void aWorkSlotIsTakenForTheCollectionAndGivenBackBeforeTheClientReads() throws Exception {
        ProcFixture proc = proc();
        String args = " --fill".repeat(250);
        for (int pid = 100; pid < 300; pid++) { // a body far larger than the socket buffers
            proc.addProcess(pid, "p" + pid, "/usr/bin/p" + args + " " + pid, 1024);
        }
        Path fifo = proc.blockingStat(42);
        ExecutorService clients = Executors.newFixedThreadPool(2);
        // no redaction: on a loaded machine part of 200 new command lines would wait for it, and the body be smaller
        try (TestExporter s = start(proc, limits(30_000, 1, 128), "--web.max-requests=1", "--collector.process.cmdline-redact=")) {
            Future<String> first = clients.submit(() -> exchangeBig(s.port));
            ProcFixture.awaitBlockedOnPipe(ProcessHandle.current().pid()); // its collection holds the only slot
            for (String path : List.of("/metrics", "/metrics?collect[]=process")) {
                String r = RawHttp.exchange(s.port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertEquals(503, RawHttp.status(r), r);
                assertTrue(r.contains("Limit of concurrent requests reached (1)") && r.contains("Retry-After: 1"), r);
                assertOwnAnswer(r);
            }
            assertEquals(200, RawHttp.status(RawHttp.exchange(s.port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
                    "the slots are for work only");
            ProcFixture.release(fifo, 42, "worker");
            assertEquals(200, RawHttp.status(first.get(20, TimeUnit.SECONDS)));
            Files.delete(fifo);
            Files.writeString(fifo, ProcFixture.stat(42, "worker", 1042));

            // a reader that reads nothing holds its thread, not the slot: the next scrape gets in
            try (Socket slow = new Socket()) {
                slow.setReceiveBufferSize(4096);
                slow.connect(new InetSocketAddress("127.0.0.1", s.port), 5000);
                slow.getOutputStream().write(SCRAPE.getBytes(StandardCharsets.US_ASCII));
                slow.getInputStream().readNBytes(12); // the answer started: the collection is over
                String next = exchangeBig(s.port);
                assertEquals(200, RawHttp.status(next), next.lines().findFirst().orElse(""));
                assertTrue(next.length() > 500_000, "a body larger than the socket buffers: " + next.length());
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void atTheConnectionLimitTheBusiestClientsIdleConnectionsMakeRoom() throws Exception {
        try (TestExporter s = start(limits(30_000, 8, 16))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) { // every connection taken: half silent, half part of a header
                    Socket t = connect(s.port, "127.0.0.2");
                    if (i % 2 == 1) {
                        t.getOutputStream().write("GET /metrics HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                    }
                    held.add(t);
                }
                awaitOpen(s, 16);
                // a newcomer from the busiest address itself is the one refused, at once
                try (Socket more = connect(s.port, "127.0.0.2")) {
                    assertTrue(closedByServer(more, 5000), "a newcomer from the address holding every connection");
                }
                for (int i = 0; i < 20; i++) { // each scrape, from another address, makes room
                    String r = RawHttp.exchange(s.port, SCRAPE);
                    assertEquals(200, RawHttp.status(r), r.lines().findFirst().orElse(""));
                }
                int closed = 0;
                for (Socket t : held) {
                    closed += closedByServer(t, 50) ? 1 : 0; // closed by now, or not
                }
                assertTrue(closed >= 1, "no held connection was closed to make room");
            } finally {
                for (Socket t : held) {
                    t.close();
                }
            }
        }
    }

    @Test
    void connectionsThatNeverAuthenticatedNeverPushOutOnesThatDid() throws Exception {
        Path web = tmp.resolve("web.yml");
        Files.writeString(web, "basic_auth_users:\n  p: " + BCrypt.hashpw("pw", BCrypt.gensalt(4)) + "\n");
        String auth = "Authorization: " + Http.basic("p", "pw") + "\r\n";
        try (TestExporter s = start(limits(30_000, 8, 4), "--web.config.file=" + web)) {
            List<Socket> trusted = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) { // three keep-alive connections that authenticated
                    Socket t = connect(s.port, "127.0.0.3");
                    t.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    assertTrue(new String(RawHttp.readResponse(t.getInputStream()), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
                    trusted.add(t);
                }
                for (int i = 0; i < 50; i++) { // a flood of connections that never authenticate: they push out each other
                    try (Socket a = connect(s.port, "127.0.0.4")) {
                        a.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
                for (Socket t : trusted) { // all three still open, and serving
                    t.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    assertTrue(new String(RawHttp.readResponse(t.getInputStream()), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
                }
            } finally {
                for (Socket t : trusted) {
                    t.close();
                }
            }
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        try (TestExporter s = start(limits(300, 8, 128))) {
            try (Socket silent = connect(s.port, "127.0.0.2"); Socket afterOne = connect(s.port, "127.0.0.2")) {
                afterOne.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                RawHttp.readResponse(afterOne.getInputStream());
                assertTrue(closedByServer(silent, 5000), "a silent connection outlived the idle timeout");
                assertTrue(closedByServer(afterOne, 5000), "an idle keep-alive connection outlived the idle timeout");
            }
        }
    }

    @Test
    void headAnswersAsGetDoesAndNegotiationHonoursQuality() throws Exception {
        try (TestExporter s = start(limits(30_000, 8, 128))) {
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

    @Test
    void everyWorkingEndpointIsLimited() throws Exception {
        ProcFixture proc = proc();
        ExecutorService clients = Executors.newFixedThreadPool(1);
        try (TestExporter e = TestExporter.start("--path.procfs=" + proc.root(), "--web.max-requests=1", "--leak.state-file=")) {
            int port = e.port;
            // the leak sampler's first collection is over once a scrape went through: the one stuck below is the scrape's
            assertEquals(200, RawHttp.status(RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
            assertEquals(200, Http.get(port, "/metrics").statusCode());
            Path fifo = proc.blockingStat(42);
            Future<String> scrape = clients.submit(() -> RawHttp.exchange(port, SCRAPE));
            ProcFixture.awaitBlockedOnPipe(ProcessHandle.current().pid());
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

    /** A scrape read in blocks to the end (the server closes after it). */
    private static String exchangeBig(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            s.getOutputStream().write(SCRAPE.getBytes(StandardCharsets.US_ASCII));
            return new String(RawHttp.readAll(s.getInputStream()), StandardCharsets.ISO_8859_1);
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

    private static void awaitOpen(TestExporter s, int n) throws InterruptedException {
        Await.until(n + " connections open", () -> s.exporter.server().openConnections() >= n);
        assertEquals(n, s.exporter.server().openConnections());
    }

    private static Socket connect(int port, String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    /** True when the server closed the connection (at once if it already had), false when it stays open {@code millis}. */
    private static boolean closedByServer(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        InputStream in = s.getInputStream();
        try {
            byte[] rest = RawHttp.readAll(in);
            String text = new String(rest, StandardCharsets.ISO_8859_1);
            assertTrue(rest.length == 0 || text.startsWith("HTTP/1.1 4") || text.startsWith("HTTP/1.1 5"),
                    "expected the server to hang up, got: " + text);
            return true;
        } catch (IOException e) {
            return !(e instanceof SocketTimeoutException || e.getCause() instanceof SocketTimeoutException); // else reset
        }
    }
}
