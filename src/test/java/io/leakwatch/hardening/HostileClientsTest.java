package io.leakwatch.hardening;

import io.leakwatch.testing.ChildExporter;
import io.leakwatch.testing.ConnectionFlood;
import io.leakwatch.testing.TestCerts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
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
 * scraping throughout. Attackers connect from 127.0.1.x, Prometheus from 127.0.0.1: the
 * per-client cap is part of the defence, as it is when the attacker is another host. Counts and
 * times are bounded; the figures are printed as "FIGURE ..." lines (docs/security.md quotes them).
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

    @TempDir
    static Path tmp;
    static TestCerts certs;
    static Path plainConfig;
    static Path tlsConfig;

    @BeforeAll
    static void setUp() throws Exception {
        certs = TestCerts.shared();
        String users = "basic_auth_users:\n  " + USER + ": " + BCrypt.hashpw(PASSWORD, BCrypt.gensalt(10)) + "\n";
        plainConfig = Files.writeString(tmp.resolve("web-plain.yml"), users);
        tlsConfig = Files.writeString(tmp.resolve("web-tls.yml"), "tls_server_config:\n  cert_file: "
                + certs.dir.resolve("server.pem") + "\n  key_file: " + certs.dir.resolve("server-key.pem") + "\n" + users);
    }

    private static ChildExporter launch(Path webConfig) throws Exception {
        return ChildExporter.launch(Map.of(), "--web.config.file=" + webConfig, "--leak.state-file=");
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

    /** Prints the figures of an attack and asserts the exporter held: alive, no out-of-memory error, every scrape under 1 s. */
    private static void assertHeld(String attack, String figures, ChildExporter exporter, Scraper scraper) {
        List<Double> ms = scraper.sortedMillis();
        System.out.printf("FIGURE %s: %s; authenticated scrapes %s; load average %s%n", attack, figures, scraper.summary(), loadAverage());
        assertTrue(exporter.process.isAlive(), attack + ": the exporter died; log: " + exporter.log());
        assertTrue(exporter.log().stream().noneMatch(l -> l.contains("OutOfMemoryError")), attack + ": " + exporter.log());
        assertEquals(List.of(), scraper.failures(), attack + ": failed scrapes");
        assertTrue(ms.size() >= 10, attack + ": too few scrapes: " + scraper.summary());
        assertTrue(ms.get(ms.size() - 1) < SCRAPE_TARGET_MILLIS, attack + ": slowest scrape " + scraper.summary());
    }

    /** {@link #CONNECTIONS} connections from {@link #ATTACKER_ADDRESSES} addresses, each sending {@code firstBytes} and holding on. */
    private static void flood(String attack, Path webConfig, SSLContext scraperTls, byte[] firstBytes) throws Exception {
        try (ChildExporter exporter = launch(webConfig);
             Scraper scraper = new Scraper(exporter.port, scraperTls, USER, PASSWORD, 100).warmedUp()) {
            ConnectionFlood.Result flood = ConnectionFlood.run(exporter.port, ConnectionFlood.loopbackSources(ATTACKER_ADDRESSES),
                    CONNECTIONS, RATE, firstBytes, clientSocketBudget(), 15_000, 90_000);
            assertEquals(CONNECTIONS, flood.opened());
            assertHeld(attack, String.format("%d connections (%s) from %d addresses in %.1f s, %d closed by the exporter,"
                            + " %d held at the end", flood.opened(), RATE > 0 ? RATE + "/s" : "unpaced", ATTACKER_ADDRESSES,
                    flood.seconds(), flood.closedByServer(), flood.heldAtEnd()), exporter, scraper);
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

    @Test
    void aHandshakeTrickledOneByteAtATimeIsCutOff() throws Exception {
        byte[] hello = clientHello(); // a real ClientHello, sent one byte every 1.5 s
        try (ChildExporter exporter = launch(tlsConfig); Socket s = new Socket()) {
            s.bind(new InetSocketAddress("127.0.1.200", 0));
            s.connect(new InetSocketAddress("127.0.0.1", exporter.port), 5000);
            s.setSoTimeout(100);
            long start = System.nanoTime();
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            double closedAfter = -1;
            for (int i = 0; i < hello.length && (System.nanoTime() - start) < TimeUnit.SECONDS.toNanos(30); i++) {
                try {
                    out.write(hello[i]);
                    out.flush();
                } catch (IOException closed) {
                    closedAfter = (System.nanoTime() - start) / 1e9;
                    break;
                }
                if (closedBy(in, 1500)) {
                    closedAfter = (System.nanoTime() - start) / 1e9;
                    break;
                }
            }
            System.out.printf("FIGURE slow handshake: closed by the exporter after %.1f s%n", closedAfter);
            assertTrue(closedAfter > 0 && closedAfter < 15, "a handshake trickled byte by byte was still open after 30 s");
        }
    }

    /** Waits up to {@code millis} for the server to close; true when it did. */
    private static boolean closedBy(InputStream in, long millis) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            try {
                if (in.read() < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                // nothing yet
            } catch (IOException e) {
                return true; // reset
            }
        }
        return false;
    }

    /** The first bytes a real TLS client sends: captured from the JDK's own client through a socket pair. */
    private static byte[] clientHello() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread client = new Thread(() -> {
                try (Socket s = certs.clientContext("ca.pem", false).getSocketFactory()
                        .createSocket(server.getInetAddress(), server.getLocalPort())) {
                    s.setSoTimeout(2000);
                    ((javax.net.ssl.SSLSocket) s).startHandshake();
                } catch (Exception expected) {
                    // the capturing side never answers
                }
            });
            client.start();
            try (Socket accepted = server.accept()) {
                accepted.setSoTimeout(3000);
                byte[] header = accepted.getInputStream().readNBytes(5);
                int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
                byte[] body = accepted.getInputStream().readNBytes(length);
                byte[] all = new byte[5 + body.length];
                System.arraycopy(header, 0, all, 0, 5);
                System.arraycopy(body, 0, all, 5, body.length);
                return all;
            } finally {
                client.join(5000);
            }
        }
    }

    @Test
    void aWrongPasswordFloodDoesNotStarveScrapes() throws Exception {
        int flooders = 64;
        long floodMillis = 10_000;
        AtomicInteger unauthorized = new AtomicInteger();
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(flooders);
        try (ChildExporter exporter = launch(plainConfig);
             Scraper scraper = new Scraper(exporter.port, null, USER, PASSWORD, 100).warmedUp()) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(floodMillis);
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            for (int i = 0; i < flooders; i++) {
                int id = i;
                running.add(pool.submit(() -> {
                    java.util.Random random = new java.util.Random(id); // fixed seeds: each request a new wrong password
                    while (System.nanoTime() < end) {
                        String auth = Base64.getEncoder().encodeToString((USER + ":wrong-" + random.nextLong())
                                .getBytes(StandardCharsets.US_ASCII));
                        try (Socket s = new Socket()) {
                            s.bind(new InetSocketAddress("127.0.1." + (1 + id % ATTACKER_ADDRESSES), 0));
                            s.connect(new InetSocketAddress("127.0.0.1", exporter.port), 5000);
                            s.setSoTimeout(10_000);
                            s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + auth
                                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                            String r = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                            (r.endsWith("401") ? unauthorized : r.endsWith("503") ? busy : r.isEmpty() ? refused : other)
                                    .incrementAndGet();
                        } catch (IOException e) {
                            refused.incrementAndGet(); // closed at accept: a wrong password from this address a moment ago
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : running) {
                f.get(floodMillis + 30_000, TimeUnit.MILLISECONDS);
            }
            assertTrue(unauthorized.get() > 0, "the flood reached the password check");
            assertEquals(0, other.get(), "every flood request was answered 401 or 503, or refused");
            assertHeld("wrong-password flood", String.format("%d connections for %d s, %d answered 401, %d answered 503,"
                    + " %d refused at accept", flooders, floodMillis / 1000, unauthorized.get(), busy.get(), refused.get()), exporter, scraper);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void connectRequestsCannotFloodTheLog() throws Exception {
        try (ChildExporter exporter = launch(tlsConfig)) {
            SSLContext client = certs.clientContext("ca.pem", false);
            int before = exporter.log().stream().mapToInt(l -> l.length() + 1).sum();
            String target = "x".repeat(8_000) + ":443";
            for (int i = 0; i < 200; i++) {
                try (Socket raw = new Socket("127.0.0.1", exporter.port);
                     Socket s = client.getSocketFactory().createSocket(raw, "127.0.0.1", exporter.port, true)) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().readNBytes(12);
                } catch (IOException e) {
                    // closed by the server: also fine
                }
            }
            Thread.sleep(500);
            List<String> log = exporter.log();
            int bytes = log.stream().mapToInt(l -> l.length() + 1).sum() - before;
            int longest = log.stream().mapToInt(String::length).max().orElse(0);
            System.out.printf("FIGURE CONNECT flood: 200 requests with an 8 KB target wrote %d bytes of log, longest line %d%n",
                    bytes, longest);
            assertTrue(bytes < 2_000, "200 CONNECT requests wrote " + bytes + " bytes of log: " + log);
            assertTrue(longest < 400, "a log line echoes client input: " + log);
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
                Thread.sleep(3000);
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
                assertHeld("hostile local processes", String.format("one 64 KiB command line, 21 processes with a 200-byte"
                        + " argv[0] name; scrape %d bytes", body.length()), exporter, scraper);
            }
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
