package io.leakwatch.hardening;

import io.leakwatch.testing.ChildExporter;
import io.leakwatch.testing.ConnectionFlood;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.RawHttp;
import io.leakwatch.testing.TestCerts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attacks of a hostile client, each against the real exporter started through the shipped
 * launcher (so with its small heap and exit-on-OutOfMemoryError) on loopback, with Prometheus
 * scraping throughout. Attackers connect from 127.0.1.x and 127.0.2.x, Prometheus from 127.0.0.1,
 * and the neighbour who sends wrong passwords from 127.0.0.1 too: nothing in the perimeter is
 * keyed on an address. Counts and times are bounded; the figures are printed as "FIGURE ..."
 * lines (docs/security.md quotes them).
 */
@Tag("system")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HostileClientsTest {
    static final int CONNECTIONS = 10_000;
    static final int ATTACKER_ADDRESSES = 40;
    /** Connections opened a second (0 = as fast as this JVM can). */
    static final int RATE = Integer.getInteger("leakwatch.hostile.rate", 0);
    static final double SCRAPE_TARGET_MILLIS = 1000;
    static final String USER = "prometheus";
    static final String PASSWORD = "scrape-secret";
    static final long FLOOD_HOLD_MILLIS = 10_000;

    @TempDir
    static Path tmp;
    static TestCerts certs;
    static String users;
    static Path plainConfig;
    static Path tlsConfig;

    @BeforeAll
    static void setUp() throws Exception {
        certs = TestCerts.shared();
        users = "basic_auth_users:\n  " + USER + ": " + BCrypt.hashpw(PASSWORD, BCrypt.gensalt(10)) + "\n";
        plainConfig = Files.writeString(tmp.resolve("web-plain.yml"), users);
        tlsConfig = Files.writeString(tmp.resolve("web-tls.yml"), "tls_server_config:\n  cert_file: "
                + certs.dir.resolve("server.pem") + "\n  key_file: " + certs.dir.resolve("server-key.pem") + "\n" + users);
    }

    /** leakwatch through the launcher, its defaults but for the web config (none: null). */
    private static ChildExporter launch(Path webConfig) throws Exception {
        List<String> args = new ArrayList<>(List.of("--leak.state-file="));
        if (webConfig != null) {
            args.add("--web.config.file=" + webConfig);
        }
        return ChildExporter.launch(Map.of(), args.toArray(new String[0]));
    }

    /** The machine's 1-minute load average: the figures mean little on a machine busy with other work. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + " on " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Client sockets this JVM can hold, leaving room for everything else it has open. */
    private static int clientSocketBudget() throws IOException {
        return (int) Math.min(CONNECTIONS, ConnectionFlood.openFileLimit() - 1024);
    }

    /** Prints the figures of an attack and asserts the exporter held: alive, no out-of-memory error, enough scrapes through. */
    private static void assertHeld(String attack, String figures, ChildExporter exporter, Scraper scraper, int minAttempts,
                                   double share) throws InterruptedException {
        System.out.printf("FIGURE %s: %s; scrapes %s; load average %s%s%n", attack, figures, scraper.summary(), loadAverage(),
                scraper.failures().isEmpty() ? "" : "; failures " + scraper.failures().stream().distinct().limit(3).toList());
        assertTrue(exporter.process.isAlive(), attack + ": the exporter died; log: " + exporter.log());
        assertTrue(exporter.log().stream().noneMatch(l -> l.contains("OutOfMemoryError")), attack + ": " + exporter.log());
        int tried = scraper.attempts();
        assertTrue(tried >= minAttempts, attack + ": too few scrapes: " + scraper.summary());
        assertTrue(scraper.successes() >= Math.ceil(share * tried), attack + ": " + scraper.summary() + "; failures: " + scraper.failures());
    }

    /** Every scrape through, 99 % of them under a second. */
    private static void assertNothingLost(String attack, String figures, ChildExporter exporter, Scraper scraper)
            throws InterruptedException {
        assertHeld(attack, figures, exporter, scraper, 10, 1.0);
        assertEquals(List.of(), scraper.failures(), attack + ": failed scrapes");
        assertTrue(scraper.p99() < SCRAPE_TARGET_MILLIS, attack + ": p99 " + scraper.summary());
    }

    /** {@link #CONNECTIONS} connections from {@link #ATTACKER_ADDRESSES} addresses, each sending {@code firstBytes} and holding on. */
    private static void flood(String attack, Path webConfig, SSLContext scraperTls, byte[] firstBytes) throws Exception {
        try (ChildExporter exporter = launch(webConfig);
             Scraper scraper = new Scraper(exporter.port, scraperTls, USER, PASSWORD, 100).warmedUp()) {
            ConnectionFlood.Result flood = ConnectionFlood.run(exporter.port, ConnectionFlood.loopbackSources(ATTACKER_ADDRESSES),
                    CONNECTIONS, RATE, firstBytes, clientSocketBudget(), FLOOD_HOLD_MILLIS, 90_000);
            assertEquals(CONNECTIONS, flood.opened());
            assertNothingLost(attack, String.format("%d connections (%s) from %d addresses in %.1f s, %d closed by the exporter,"
                            + " %d held at the end, most held at once %d", flood.opened(), RATE > 0 ? RATE + "/s" : "unpaced",
                    ATTACKER_ADDRESSES, flood.seconds(), flood.closedByServer(), flood.heldAtEnd(), flood.maxHeld()), exporter, scraper);
        }
    }

    @Test
    void tenThousandPartialHeadersLeaveTheExporterServing() throws Exception {
        flood("plain flood (7.9 KB partial header each)", plainConfig, null,
                ("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Fill: " + "a".repeat(7_900) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void tenThousandOneByteTlsHandshakesLeaveTheExporterServing() throws Exception {
        // the first byte of a TLS record carrying a ClientHello
        flood("TLS flood (1 byte of a ClientHello each)", tlsConfig, certs.clientContext("ca.pem", false), new byte[]{0x16});
    }

    /**
     * A neighbour on the scraper's own address (the same host, a NAT, a proxy) sends new wrong
     * passwords as fast as it can: it pays for them, the scraper does not.
     */
    @Test
    void aNeighbourSendingWrongPasswordsCostsTheScraperNothing() throws Exception {
        int threads = 16;
        AtomicInteger unauthorized = new AtomicInteger();
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ChildExporter exporter = launch(plainConfig);
             Scraper scraper = new Scraper(exporter.port, null, USER, PASSWORD, 200).warmedUp()) {
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<java.util.concurrent.Future<?>> neighbours = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int id = i;
                neighbours.add(pool.submit(() -> {
                    java.util.Random random = new java.util.Random(id); // fixed seeds: each request a new wrong password
                    while (running.get()) {
                        String auth = Http.basic(USER, "wrong-" + random.nextLong());
                        try (Socket s = new Socket()) {
                            s.bind(new InetSocketAddress("127.0.0.1", 0)); // the scraper's address
                            s.connect(new InetSocketAddress("127.0.0.1", exporter.port), 5000);
                            s.setSoTimeout(10_000);
                            s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth
                                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                            String r = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                            (r.endsWith("401") ? unauthorized : r.endsWith("503") ? busy : other).incrementAndGet();
                        } catch (IOException e) {
                            other.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            scraper.awaitAttempts(20, 60_000);
            running.set(false);
            for (java.util.concurrent.Future<?> f : neighbours) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertTrue(unauthorized.get() > 0, "the neighbour reached the password check");
            assertHeld("wrong passwords from the scraper's address", String.format("%d connections at once, %d answered 401,"
                    + " %d answered 503 (checks queued), %d other", threads, unauthorized.get(), busy.get(), other.get()),
                    exporter, scraper, 20, 19.0 / 20);
        } finally {
            pool.shutdownNow();
        }
    }

    /** 16 connections pipeline /metrics and read a few bytes now and then through a small window. */
    @Test
    void slowReadersPipeliningMetricsLeaveRoomForScrapes() throws Exception {
        List<Socket> readers = new ArrayList<>();
        AtomicInteger bytesRead = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread drip = null;
        try (ChildExporter exporter = launch(null)) {
            for (int i = 0; i < 16; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(2048);
                s.bind(new InetSocketAddress("127.0.1." + (1 + i), 0));
                s.connect(new InetSocketAddress("127.0.0.1", exporter.port), 5000);
                s.setSoTimeout(50);
                s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(32).getBytes(StandardCharsets.US_ASCII));
                readers.add(s);
            }
            drip = new Thread(() -> {
                byte[] buf = new byte[64];
                while (running.get()) {
                    for (Socket s : readers) {
                        try {
                            int n = s.getInputStream().read(buf);
                            bytesRead.addAndGet(Math.max(0, n));
                        } catch (IOException timeoutOrClosed) {
                            // nothing this round
                        }
                    }
                }
            }, "slow-readers");
            drip.setDaemon(true);
            drip.start();
            try (Scraper scraper = new Scraper(exporter.port, null, null, null, 300).warmedUp()) {
                scraper.awaitAttempts(10, 60_000);
                assertHeld("16 slow readers pipelining /metrics", String.format("they read %d bytes meanwhile", bytesRead.get()),
                        exporter, scraper, 10, 0.9);
            }
        } finally {
            running.set(false);
            if (drip != null) {
                drip.join(5000);
            }
            for (Socket s : readers) {
                s.close();
            }
        }
    }

    /** 512 keep-alive connections from 8 addresses, each after one GET /health, held open. */
    @Test
    void idleKeepAliveConnectionsLeaveRoomForScrapes() throws Exception {
        List<Socket> idle = new ArrayList<>();
        int answered = 0;
        try (ChildExporter exporter = launch(null)) {
            for (int i = 0; i < 512; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress("127.0.2." + (1 + i % 8), 0));
                s.connect(new InetSocketAddress("127.0.0.1", exporter.port), 5000);
                s.setSoTimeout(10_000);
                try {
                    s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    answered += RawHttp.readResponse(s.getInputStream()).length > 0 ? 1 : 0;
                } catch (IOException refused) {
                    // past the connection limit, a newcomer from an address as busy as the busiest is closed
                }
                idle.add(s);
            }
            try (Scraper scraper = new Scraper(exporter.port, null, null, null, 200).warmedUp()) {
                scraper.awaitAttempts(10, 60_000);
                int closed = 0;
                for (Socket s : idle) {
                    s.setSoTimeout(1);
                    try {
                        closed += s.getInputStream().read() < 0 ? 1 : 0;
                    } catch (SocketTimeoutException stillOpen) {
                        // held
                    } catch (IOException reset) {
                        closed++;
                    }
                }
                assertHeld("512 idle keep-alive connections from 8 addresses", String.format("%d answered before the scrapes,"
                        + " %d closed by the end", answered, closed),
                        exporter, scraper, 10, 0.9);
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    /** Malformed requests of every kind Jetty or leakwatch logs: the log grows by a few lines, not by what the clients sent. */
    @Test
    void twoThousandMalformedRequestsAddLittleLog() throws Exception {
        List<String> kinds = List.of(
                "GET /metrics HTTP/1.1\r\nHost: " + "x".repeat(7_900) + ":99999\r\n\r\n",       // bad authority (bad port)
                "GET /metrics HTTP/1.1\r\nHost: [" + "1:".repeat(2_000) + "\r\n\r\n",           // bad IPv6 host
                "GET /metrics HTTP/1.1\r\nHost: a" + "b".repeat(3_000) + "\r\nHost: c\r\n\r\n", // multiple Host headers
                "GET /metrics HTTP/1.1\r\nHost: x\r\nBad Header Line " + "z".repeat(3_000) + "\r\n\r\n",
                "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
                "GET /" + "%ff".repeat(2_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "CONNECT " + "x".repeat(7_900) + ":443 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /metrics HTTP/7.3\r\nHost: x\r\n\r\n");
        try (ChildExporter exporter = launch(plainConfig)) {
            int before = exporter.log().stream().mapToInt(l -> l.length() + 1).sum();
            int statuses400 = 0;
            for (int i = 0; i < 2_000; i++) {
                try (Socket s = new Socket()) {
                    s.bind(new InetSocketAddress("127.0.1." + (1 + i % ATTACKER_ADDRESSES), 0));
                    s.connect(new InetSocketAddress("127.0.0.1", exporter.port), 5000);
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(kinds.get(i % kinds.size()).getBytes(StandardCharsets.ISO_8859_1));
                    String r = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
                    statuses400 += r.startsWith("HTTP/1.1 4") ? 1 : 0;
                } catch (IOException e) {
                    // closed by the server: also fine
                }
            }
            Thread.sleep(300); // the child's log reaches us through a pipe
            List<String> log = exporter.log();
            int bytes = log.stream().mapToInt(l -> l.length() + 1).sum() - before;
            int longest = log.stream().mapToInt(String::length).max().orElse(0);
            System.out.printf("FIGURE 2,000 malformed requests (%d kinds, 4xx answers: %d): %d bytes of log, longest line %d%n",
                    kinds.size(), statuses400, bytes, longest);
            assertTrue(statuses400 > 1_000, "the requests were answered: " + statuses400);
            assertTrue(bytes <= 50 * 1024, "2,000 malformed requests wrote " + bytes + " bytes of log: " + log);
            assertTrue(longest < 600, "a log line echoes client input: " + log);
        }
    }

    /**
     * exporter-toolkit's own sample web config, unchanged (next to a certificate named as it
     * expects), starts; then a new password and a renewed certificate apply within 10 s, without a restart.
     */
    @Test
    void theSampleWebConfigStartsAndChangesApplyWithoutRestart() throws Exception {
        TestCerts own = certs.copyTo(tmp.resolve("sample"));
        Files.copy(own.dir.resolve("server.pem"), own.dir.resolve("server.crt"));
        Files.copy(own.dir.resolve("server-key.pem"), own.dir.resolve("server.key"));
        Path sample = own.dir.resolve("web-config.yml");
        String sampleText;
        try (InputStream in = HostileClientsTest.class.getResourceAsStream("/exporter-toolkit/web-config.yml")) {
            sampleText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(sample, sampleText);
        try (ChildExporter exporter = launch(sample)) {
            SSLContext client = certs.clientContext("ca.pem", false);
            String first = tlsGet(client, exporter.port, USER, PASSWORD);
            assertTrue(first.startsWith("HTTP/1.1 401"), "TLS on, only alice and bob: " + first);
            BigInteger servedBefore = servedSerial(client, exporter.port);

            long changed = System.nanoTime();
            Files.writeString(sample, sampleText.replace("basic_auth_users:\n", users));
            java.security.cert.X509Certificate renewed = own.renewServer("server.crt", "server.key");
            double passwordAfter = -1;
            double certificateAfter = -1;
            while ((passwordAfter < 0 || certificateAfter < 0) && System.nanoTime() - changed < TimeUnit.SECONDS.toNanos(10)) {
                double t = (System.nanoTime() - changed) / 1e9;
                if (passwordAfter < 0 && tlsGet(client, exporter.port, USER, PASSWORD).startsWith("HTTP/1.1 200")) {
                    passwordAfter = t;
                }
                if (certificateAfter < 0 && renewed.getSerialNumber().equals(servedSerial(client, exporter.port))) {
                    certificateAfter = t;
                }
                Thread.sleep(50);
            }
            System.out.printf("FIGURE sample web config: started; new password took %.2f s, renewed certificate %.2f s%n",
                    passwordAfter, certificateAfter);
            assertTrue(passwordAfter >= 0, "the new password did not apply within 10 s");
            assertTrue(certificateAfter >= 0, "the renewed certificate was not served within 10 s");
            assertTrue(!servedBefore.equals(renewed.getSerialNumber()));
            assertTrue(exporter.process.isAlive());
        }
    }

    private static String tlsGet(SSLContext client, int port, String user, String password) throws IOException {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: " + Http.basic(user, password)
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(RawHttp.readAll(s.getInputStream()), StandardCharsets.ISO_8859_1);
        }
    }

    private static BigInteger servedSerial(SSLContext client, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            return ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /**
     * A local user's processes: one with a 64 KiB command line built against a backtracking
     * redaction regex, and 20 whose 15-byte name starts a 200-byte argv[0] basename holding a
     * secret. The scrape stays whole and fast, the secret hidden, and every name capped.
     */
    @Test
    void hostileLocalProcessesNeitherBlindNorInflateTheScrape() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        // 200-byte names: comm is their first 15 bytes, the name shown is the whole basename
        Path longLink = Files.createSymbolicLink(bin.resolve("lwhostilelongna" + "n".repeat(185)), Path.of("/bin/sleep"));
        Path secretLink = Files.createSymbolicLink(bin.resolve("lwhostiletoken=" + "s".repeat(185)), Path.of("/bin/sleep"));
        String hostileArgument = "x".repeat(30_000) + "password" + ".".repeat(34_000);
        List<Process> processes = new ArrayList<>();
        try {
            Process hostile = new ProcessBuilder("/bin/sh", "-c", "sleep 120; :", hostileArgument).start(); // no exec: sh keeps its argv
            processes.add(hostile);
            for (int i = 0; i < 20; i++) {
                processes.add(new ProcessBuilder(longLink.toString(), "120").start());
            }
            processes.add(new ProcessBuilder(secretLink.toString(), "120").start());
            Thread.sleep(500);
            assertTrue(Files.readAllBytes(Path.of("/proc", Long.toString(hostile.pid()), "cmdline")).length > 64_000,
                    "the 64 KiB command line is there to be scraped");
            try (ChildExporter exporter = launch(plainConfig);
                 Scraper scraper = new Scraper(exporter.port, null, USER, PASSWORD, 100).warmedUp()) {
                scraper.awaitAttempts(10, 60_000);
                String body = scraper.lastBody();
                assertTrue(body.contains("windows_exporter_collector_success{collector=\"process\",} 1.0"), "scrape whole");
                assertTrue(body.contains("process_id=\"" + hostile.pid() + "\""), "the process with the 64 KiB command line is listed");
                assertTrue(body.contains("leakwatch_collector_cut_names{collector=\"process\",} 20.0"), "20 names cut");
                assertTrue(!body.contains("process=\"lwhostilelongna" + "n".repeat(150)), "no name longer than the cap");
                assertTrue(body.contains("process=\"lwhostilelongna" + "n".repeat(io.leakwatch.guard.LabelCapBackend.MAX_NAME_BYTES - 15 - 3) + "...\""),
                        "names cut at 128 bytes with a marker");
                assertTrue(!body.contains("lwhostiletoken=sss") && body.contains("process=\"lwhostiletoken=***\""),
                        "the secret in argv[0] is hidden: "
                        + body.lines().filter(l -> l.contains("lwhostile")).findFirst().orElse(""));
                assertNothingLost("hostile local processes", String.format("one 64 KiB command line, 21 processes with a 200-byte"
                        + " argv[0] name; scrape %d bytes", body.length()), exporter, scraper);
                assertTrue(scraper.p99() < SCRAPE_TARGET_MILLIS, "p99 " + scraper.summary());
            }
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
