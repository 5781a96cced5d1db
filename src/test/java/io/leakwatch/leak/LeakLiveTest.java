package io.leakwatch.leak;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import io.leakwatch.config.LeakSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * End to end on this machine: the real leakwatch (a child JVM started like the jar, through Main) watches two real
 * processes, one leaking native memory from malloc at 1 MiB/s and one allocating and freeing 40 MiB in a sawtooth,
 * with a 90 s window sampled every second. Only the leaker becomes a suspect, in /metrics and /leaks.json; the /leaks
 * page is rendered by headless Chromium and its screenshot kept in target/leak-live/leaks-page.png.
 */
@Tag("system")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeakLiveTest {
    private static final Path WORK = Path.of("target", "leak-live").toAbsolutePath();
    private static final int CHILD_SECONDS = 240; // the children exit on their own even if this JVM is killed
    /** Names unique to this run (the test JVM's pid), so other processes on a shared machine never match the filter. */
    private static final String LEAKER_NAME = "lw-leak-" + ProcessHandle.current().pid() % 1_000_000;
    private static final String SAWTOOTH_NAME = "lw-saw-" + ProcessHandle.current().pid() % 1_000_000;
    private static final Duration VERDICT_TIMEOUT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final List<Process> children = new ArrayList<>();
    private static Process leaker;
    private static Process sawtooth;
    private static Process leakwatch;
    private static Path leakwatchLog;
    private static String base;
    private static Config suspectJson; // /leaks.json when the leaker was first flagged

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(WORK);
        Path python = Path.of("/usr/bin/python3");
        // The process name (comm) comes from the executable's file name: a symlink gives each child its own.
        leaker = startChild(python, LEAKER_NAME, "leaker.py");
        sawtooth = startChild(python, SAWTOOTH_NAME, "sawtooth.py");
        Files.deleteIfExists(WORK.resolve("leak-state.json"));
        leakwatchLog = WORK.resolve("leakwatch.log");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        leakwatch = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", classPath, "io.leakwatch.Main",
                "--web.listen-address=127.0.0.1:0",
                "--collector.process.include=" + LEAKER_NAME + "|" + SAWTOOTH_NAME,
                "--leak.window=90s", "--leak.sample-interval=1s",
                "--leak.state-file=" + WORK.resolve("leak-state.json"))
                .redirectErrorStream(true).redirectOutput(leakwatchLog.toFile()).start();
        children.add(leakwatch);
        base = "http://127.0.0.1:" + waitForPort() + "/";
    }

    private static Process startChild(Path python, String name, String script) throws IOException {
        Path link = WORK.resolve(name);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, python);
        Path scriptFile = WORK.resolve(script);
        try (InputStream in = Objects.requireNonNull(LeakLiveTest.class.getResourceAsStream(script))) {
            Files.copy(in, scriptFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Process p = new ProcessBuilder(link.toString(), scriptFile.toString(), Integer.toString(CHILD_SECONDS))
                .redirectErrorStream(true).redirectOutput(WORK.resolve(name + ".log").toFile()).start();
        children.add(p);
        return p;
    }

    private static int waitForPort() throws Exception {
        Pattern ports = Pattern.compile("\\(ports \\[(\\d+)]\\)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = ports.matcher(Files.readString(leakwatchLog));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!leakwatch.isAlive()) {
                fail("leakwatch exited: " + Files.readString(leakwatchLog));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("leakwatch did not start: " + Files.readString(leakwatchLog));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : children) {
            p.destroy();
        }
        for (Process p : children) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }

    private static Config json(String text) {
        return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
    }

    private static Config process(Config leaks, Process p) {
        String pid = Long.toString(p.pid());
        return leaks.getConfigList("processes").stream().filter(c -> c.getString("process_id").equals(pid)).findFirst().orElse(null);
    }

    @Test
    @Order(1)
    void onlyTheNativeLeakerBecomesASuspectInLeaksJson() throws Exception {
        long deadline = System.nanoTime() + VERDICT_TIMEOUT.toNanos();
        Config leaks = null;
        while (System.nanoTime() < deadline) {
            leaks = json(get("leaks.json"));
            Config l = process(leaks, leaker);
            if (l != null && l.getBoolean("suspect")) {
                break;
            }
            assertTrue(leaker.isAlive() && sawtooth.isAlive(), "children died");
            Thread.sleep(2000);
        }
        assertNotNull(leaks);
        Config l = process(leaks, leaker);
        assertNotNull(l, "leaker tracked: " + leaks.root().render());
        assertTrue(l.getBoolean("suspect"), "leaker not flagged within " + VERDICT_TIMEOUT + ": " + l.root().render());
        assertEquals(LEAKER_NAME, l.getString("process"));
        double rate = l.getDouble("private_bytes.growth_per_second");
        assertTrue(rate > 0.5 * 1024 * 1024 && rate < 2.0 * 1024 * 1024, "about 1 MiB/s: " + rate);
        assertTrue(l.getDouble("coverage_seconds") >= 45, "half the window covered");

        Config s = process(leaks, sawtooth);
        assertNotNull(s, "sawtooth tracked");
        assertFalse(s.getBoolean("suspect"), "sawtooth flagged: " + s.getString("private_bytes.why"));
        assertTrue(s.getDouble("coverage_seconds") >= 45, "the sawtooth was judged over the same covered window");
        assertTrue(s.getInt("private_bytes.floors") >= 8);
        assertEquals(1, leaks.getInt("suspects"), "only the leaker");
        suspectJson = leaks;
    }

    @Test
    @Order(2)
    void theMetricsSayTheSame() throws Exception {
        assertNotNull(suspectJson, "needs the leaker flagged");
        String metrics = get("metrics");
        assertTrue(metrics.contains("leakwatch_leak_suspect{process=\"" + LEAKER_NAME + "\",process_id=\"" + leaker.pid() + "\",} 1.0"),
                metrics);
        assertTrue(metrics.contains("leakwatch_leak_suspect{process=\"" + SAWTOOTH_NAME + "\",process_id=\"" + sawtooth.pid() + "\",} 0.0"),
                metrics);
        Matcher rate = Pattern.compile("leakwatch_leak_private_bytes_floor_growth_bytes_per_second\\{process=\"" + LEAKER_NAME + "\",process_id=\""
                + leaker.pid() + "\",} (\\S+)").matcher(metrics);
        assertTrue(rate.find());
        assertTrue(Double.parseDouble(rate.group(1)) > 0.5 * 1024 * 1024);
        assertTrue(metrics.contains("leakwatch_leak_seconds_until_physical_memory{process=\"" + LEAKER_NAME + "\""));
        assertTrue(metrics.contains("# HELP leakwatch_leak_history_coverage_seconds "));
        // the exposition with the new families still passes Prometheus' own checker
        Path scraped = WORK.resolve("metrics.txt");
        Files.writeString(scraped, metrics);
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(scraped.toFile())
                .redirectErrorStream(true).start();
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(30, TimeUnit.SECONDS));
        assertFalse(out.contains("leakwatch_leak"), "promtool lint on the leak families: " + out);
    }

    @Test
    @Order(3)
    void theLeaksPageShowsTheSuspectRowAndChartInChromium() throws Exception {
        assertNotNull(suspectJson, "needs the leaker flagged");
        Path screenshot = WORK.resolve("leaks-page.png");
        Files.deleteIfExists(screenshot);
        String dom = chromium(List.of("--dump-dom", base + "leaks"));
        String pid = Long.toString(leaker.pid());
        assertTrue(dom.contains("<tr class=\"suspect\" data-pid=\"" + pid + "\">"), "suspect row in the rendered DOM");
        assertTrue(dom.contains("id=\"chart-" + pid + "\""), "chart in the DOM");
        assertTrue(dom.contains("class=\"trend\""), "trend line");
        assertFalse(dom.contains("data-pid=\"" + sawtooth.pid() + "\" class=\"suspect\"")
                || dom.contains("<tr class=\"suspect\" data-pid=\"" + sawtooth.pid() + "\">"), "the sawtooth row is not a suspect");

        chromium(List.of("--window-size=1200,1400", "--hide-scrollbars", "--screenshot=" + screenshot, base + "leaks"));
        assertTrue(Files.size(screenshot) > 10_000, "screenshot written");
        BufferedImage image = ImageIO.read(screenshot.toFile());
        // visible, not just present: the pixels of the suspect section's red border/trend line (#c0392b)
        // and of the chart's floor dots (#2c3e50) are on screen
        assertTrue(count(image, 0xc0392b) > 500, "suspect border and trend line visible");
        assertTrue(count(image, 0x2c3e50) > 200, "floor line and dots visible");
    }

    private static int count(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y) & 0xffffff;
                if (Math.abs((p >> 16) - (rgb >> 16)) <= 8 && Math.abs(((p >> 8) & 0xff) - ((rgb >> 8) & 0xff)) <= 8
                        && Math.abs((p & 0xff) - (rgb & 0xff)) <= 8) {
                    n++;
                }
            }
        }
        return n;
    }

    private static String chromium(List<String> args) throws Exception {
        Path profile = Files.createTempDirectory(WORK, "chromium-profile");
        List<String> command = new ArrayList<>(List.of("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile));
        command.addAll(args);
        Path out = Files.createTempFile(WORK, "chromium", ".out");
        Path err = Files.createTempFile(WORK, "chromium", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                fail("chromium hung: " + Files.readString(err));
            }
            assertEquals(0, p.exitValue(), Files.readString(err));
            return Files.readString(out);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // chromium may still be removing its own files: a leftover profile under target/ is harmless
        }
    }

    @Test
    @Order(4)
    void stoppingLeakwatchSavesTheHistoryForTheNextStart() throws Exception {
        assertNotNull(suspectJson, "needs the leaker flagged");
        leakwatch.destroy(); // SIGTERM: the shutdown hook saves
        assertTrue(leakwatch.waitFor(20, TimeUnit.SECONDS));
        LeakSettings settings = new LeakSettings(true, 1, 90, null, 1, 1);
        List<SavedHistory> saved = LeakStateFile.read(WORK.resolve("leak-state.json"), settings);
        assertTrue(saved.stream().anyMatch(h -> h.pid() == leaker.pid() && h.buckets().ids().length >= 8), saved.toString());
        assertTrue(saved.stream().anyMatch(h -> h.pid() == sawtooth.pid()));
    }
}
