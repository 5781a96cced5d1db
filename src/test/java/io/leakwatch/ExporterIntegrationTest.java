package io.leakwatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.common.Version;
import io.leakwatch.testing.ChildProcess;
import io.leakwatch.testing.ExpositionCheck;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.TestExporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real server, on loopback, scraping real child processes. */
class ExporterIntegrationTest {
    /** l w " \ LF ) space ( 0xFF(invalid UTF-8) U+1F4A5: 13 bytes, under comm's 15. */
    static final byte[] HOSTILE_COMM = {'l', 'w', '"', '\\', '\n', ')', ' ', '(', (byte) 0xff,
            (byte) 0xf0, (byte) 0x9f, (byte) 0x92, (byte) 0xa5};
    /** How the text format must write that name: quote, backslash and newline escaped, bad byte replaced. */
    static final String HOSTILE_LABEL = "lw\\\"\\\\\\n) (\ufffd\ud83d\udca5";

    static ChildProcess hog;
    static ChildProcess hostile;
    static TestExporter exporter;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        hog = ChildProcess.start("lwt-mem-hog".getBytes(StandardCharsets.US_ASCII), 64);
        hostile = ChildProcess.start(HOSTILE_COMM, 0);
        // (?s): as in Go, "." stops at the newline in the hostile name unless the regex says otherwise
        exporter = TestExporter.start("--collector.process.include=(?s)lw.*", "--leak.state-file=");
        port = exporter.port;
    }

    @AfterAll
    static void stop() throws Exception {
        if (exporter != null) {
            exporter.close();
        }
        if (hog != null) {
            hog.close();
        }
        if (hostile != null) {
            hostile.close();
        }
    }

    private static String scrape(String... headers) {
        String body = exporter.body("/metrics", headers);
        ExpositionCheck.assertWellFormed(body);
        return body;
    }

    private static double value(String body, String metric, long pid) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{[^\\n]*process_id=\"" + pid + "\"[^\\n]*\\} (\\S+)$")
                .matcher(body);
        assertTrue(m.find(), metric + " for pid " + pid + " missing");
        return Double.parseDouble(m.group(1));
    }

    @Test
    void memoryOfARealProcess() {
        String body = scrape();
        assertTrue(value(body, "windows_process_working_set_private_bytes", hog.pid()) >= 64 * 1024 * 1024,
                "64 MiB touched anonymous memory is private working set");
        assertTrue(value(body, "windows_process_private_bytes", hog.pid()) >= 64 * 1024 * 1024);
        assertTrue(value(body, "windows_process_working_set_bytes", hog.pid()) >= 64 * 1024 * 1024);
        assertTrue(value(body, "windows_process_threads", hog.pid()) > 1);
        assertTrue(value(body, "windows_process_handles", hog.pid()) >= 3);
        double start = value(body, "windows_process_start_time_seconds_timestamp", hog.pid());
        assertTrue(Math.abs(start - System.currentTimeMillis() / 1000.0) < 600, "start time is recent: " + start);
        assertTrue(body.contains("windows_process_info{process=\"lwt-mem-hog\",process_id=\"" + hog.pid() + "\""));
        assertFalse(body.contains("windows_process_pool_bytes"), "no pool source on Linux: omitted, not 0");
        assertTrue(body.contains("windows_exporter_collector_success{collector=\"process\",} 1.0"));
        assertTrue(body.contains("windows_exporter_collector_timeout{collector=\"process\",} 0.0"));
        assertTrue(body.contains("leakwatch_build_info{"));
        assertTrue(body.contains("process_resident_memory_bytes "));
    }

    /** windows_exporter's /version fields (Prometheus' shape), then leakwatch's own. */
    private static void assertVersionJson(String body) throws Exception {
        JsonNode json = new ObjectMapper().readTree(body);
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("version", "revision", "branch", "buildUser", "buildDate", "goVersion", "java"), names);
        assertEquals(Version.VERSION, json.path("version").asText());
        assertEquals(Version.REVISION, json.path("revision").asText());
        assertEquals(Version.BUILD_DATE, json.path("buildDate").asText());
        assertEquals("java" + System.getProperty("java.version"), json.path("goVersion").asText());
        assertEquals(System.getProperty("java.version"), json.path("java").asText());
    }

    @Test
    void hostileNameIsEscapedAndAccepted() {
        String body = scrape();
        assertTrue(body.contains("windows_process_info{process=\"" + HOSTILE_LABEL + "\",process_id=\"" + hostile.pid() + "\""),
                "escaped hostile name");
        String openMetrics = scrape("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertTrue(openMetrics.contains("process=\"" + HOSTILE_LABEL + "\""));
        assertTrue(openMetrics.trim().endsWith("# EOF"));
    }

    @Test
    void gzipWhenAccepted() throws Exception {
        HttpResponse<byte[]> r = Http.get(port, "/metrics", "Accept-Encoding", "gzip");
        assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(""));
        byte[] plain = new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes();
        ExpositionCheck.assertWellFormed(plain);
        assertTrue(new String(plain, StandardCharsets.UTF_8).contains("lwt-mem-hog"));
        HttpResponse<byte[]> refused = Http.get(port, "/metrics", "Accept-Encoding", "gzip;q=0");
        assertTrue(refused.headers().firstValue("Content-Encoding").isEmpty());
    }

    @Test
    void collectFilterAndOtherEndpoints() throws Exception {
        HttpResponse<byte[]> bad = Http.get(port, "/metrics?collect[]=cpu");
        assertEquals(400, bad.statusCode());
        assertTrue(Http.body(bad).contains("'cpu'"));
        assertTrue(Http.body(Http.get(port, "/metrics?collect[]=process")).contains("windows_process_info"));

        HttpResponse<byte[]> health = Http.get(port, "/health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"ok\"}", Http.body(health));
        assertTrue(health.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertVersionJson(Http.body(Http.get(port, "/version")));
        String landing = Http.body(Http.get(port, "/"));
        assertTrue(landing.contains("href=\"metrics\"") && landing.contains("href=\"health\""));
    }

    @Test
    void concurrentScrapesAllSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> bodies = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                bodies.add(pool.submit(() -> Http.body(Http.get(port, "/metrics"))));
            }
            for (Future<String> f : bodies) {
                assertTrue(f.get().contains("windows_exporter_collector_success{collector=\"process\",} 1.0"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void seriesOfAnExitedProcessDisappear() throws Exception {
        try (ChildProcess shortLived = ChildProcess.start("lwt-short".getBytes(StandardCharsets.US_ASCII), 0)) {
            assertTrue(scrape().contains("process_id=\"" + shortLived.pid() + "\""));
            shortLived.stop();
            String after = scrape();
            assertFalse(after.contains("process_id=\"" + shortLived.pid() + "\""), "no series after exit");
        }
    }
}
