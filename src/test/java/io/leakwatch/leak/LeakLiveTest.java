package io.leakwatch.leak;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import io.leakwatch.leak.LeakSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * End to end on this machine, in compressed time: the real leakwatch (a child JVM started like the jar, through
 * Main) watches real processes with a 3-minute window sampled every second, standing for a day (45 s here are six
 * hours there); every time constant of the method follows from the window, so this is a faithful model of the
 * defaults. The thresholds scale with it (2 MiB and 100 handles a window). The shapes, all from C malloc or real file
 * descriptors:
 * <ul>
 *   <li>a leak of 2.9 times the threshold under a sawtooth 3.4 times the window's leak, 20 s long (2.7 h there). One
 *   sample a second finds the sawtooth's trough only to within a second, an error of a twentieth of its height in
 *   every floor (the default's 60 s samples and 2.7 h give a 160th), and a busy machine adds jitter: with 10 times
 *   the window's leak and 1.9 times the threshold, the leak was named, then lost for seconds, or named only at 257 of
 *   the 270 s allowed. How close to the threshold and under how high a sawtooth a leak is still named is the
 *   evaluation's job, on the corpus;</li>
 *   <li>the same sawtooth alone;</li>
 *   <li>a leak of 5 times the threshold in a program restarted every 45 s (6 h there);</li>
 *   <li>a descriptor leak;</li>
 *   <li>a cache that grows for 98 s and then stays at its size.</li>
 * </ul>
 * The leaks are flagged within a window and a half (the 36 h target), the restarted one on its current pid; the
 * sawtooth never; the cache not after a quarter window past its growth; and in every scrape the leak series name only processes that the
 * windows_process_* series name too. The /leaks page is rendered by headless Chromium and its screenshot kept in
 * target/leak-live/leaks-page.png.
 */
@Tag("system")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Execution(ExecutionMode.CONCURRENT) // beside the other system tests; its methods in order, one after the other (SAME_THREAD)
class LeakLiveTest {
    private static final Path WORK = Path.of("target", "leak-live").toAbsolutePath();
    private static final int WINDOW = 180;
    private static final int CHILD_SECONDS = 420; // the children exit on their own even if this JVM is killed
    /** The target for a leak is a day and a half (36 h): a window and a half here, and half a minute to look. */
    private static final int WATCH_SECONDS = WINDOW * 3 / 2 + 30;
    private static final int CACHE_GROWS = 98;
    private static final int SAWLEAK_KIB_PER_SECOND = 33;
    private static final String ID = Long.toString(ProcessHandle.current().pid() % 1_000_000);
    /** Names unique to this run, at most 15 bytes (the kernel's comm), so other processes never match the filter. */
    private static final String SAWLEAK = "lw-sl-" + ID;
    private static final String SAW = "lw-sw-" + ID;
    private static final String RESTARTED = "lw-rs-" + ID;
    private static final String FDS = "lw-fd-" + ID;
    private static final String CACHE = "lw-cc-" + ID;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final List<Process> children = new ArrayList<>();
    private static final Map<String, Process> byName = new LinkedHashMap<>();
    private static Process leakwatch;
    private static Path leakwatchLog;
    private static String base;
    private static long startedNanos;
    private static Config suspectJson; // /leaks.json with the sawtooth leak flagged

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(WORK);
        Path script = WORK.resolve("shapes.py");
        try (InputStream in = Objects.requireNonNull(LeakLiveTest.class.getResourceAsStream("shapes.py"))) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String t = Integer.toString(CHILD_SECONDS);
        startChild(SAWLEAK, script, "sawleak", Integer.toString(SAWLEAK_KIB_PER_SECOND), "20", "20", t);
        startChild(SAW, script, "saw", "39", "20", t);
        startChild(FDS, script, "fds", "1", t);
        startChild(CACHE, script, "leak", "57", t, Integer.toString(CACHE_GROWS));
        // the supervisor runs under plain python3 (not watched); each life of the program has the same name and command line
        Path restartedLink = link(RESTARTED);
        Process supervisor = new ProcessBuilder("/usr/bin/python3", script.toString(), "restart", "45", t, restartedLink.toString(),
                script.toString(), "leak", "57", t).redirectErrorStream(true).redirectOutput(WORK.resolve(RESTARTED + ".log").toFile()).start();
        children.add(supervisor);
        Files.deleteIfExists(WORK.resolve("leak-state.json"));
        leakwatchLog = WORK.resolve("leakwatch.log");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        leakwatch = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", classPath, "io.leakwatch.Main",
                "--web.listen-address=127.0.0.1:0",
                "--collector.process.include=" + String.join("|", SAWLEAK, SAW, RESTARTED, FDS, CACHE),
                "--leak.window=" + WINDOW + "s", "--leak.sample-interval=1s",
                "--leak.min-growth=2MiB/" + WINDOW + "s", "--leak.min-handle-growth=100/" + WINDOW + "s",
                "--leak.state-file=" + WORK.resolve("leak-state.json"))
                .redirectErrorStream(true).redirectOutput(leakwatchLog.toFile()).start();
        children.add(leakwatch);
        base = "http://127.0.0.1:" + waitForPort() + "/";
        startedNanos = System.nanoTime();
    }

    /** The process name (comm) comes from the executable's file name: a symlink gives each child its own. */
    private static Path link(String name) throws IOException {
        Path link = WORK.resolve(name);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of("/usr/bin/python3"));
        return link;
    }

    private static void startChild(String name, Path script, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(link(name).toString(), script.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(WORK.resolve(name + ".log").toFile()).start();
        children.add(p);
        byName.put(name, p);
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
            p.descendants().forEach(ProcessHandle::destroy);
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

    private static List<? extends Config> named(Config leaks, String name) {
        return leaks.getConfigList("processes").stream().filter(c -> c.getString("process").equals(name)).toList();
    }

    private static double elapsed() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static Set<String> pids(String metrics, String family) {
        Set<String> out = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^" + family + "\\{process=\"[^\"]*\",process_id=\"(\\d+)\"").matcher(metrics);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    @Order(1)
    @Execution(ExecutionMode.SAME_THREAD)
    void eachShapeGetsItsVerdictInCompressedTime() throws Exception {
        Map<String, Double> firstFlag = new LinkedHashMap<>();
        double cacheLastFlag = Double.NaN;
        String restartedPid = null;
        List<String> earlierLives = List.of();
        int scrapes = 0;
        Map<String, String> lastWhy = new LinkedHashMap<>();
        StringBuilder changes = new StringBuilder();
        while (elapsed() < WATCH_SECONDS) {
            // every scrape: a process's leak series go with its own series, in the same scrape
            String metrics = get("metrics");
            scrapes++;
            Set<String> processes = pids(metrics, "windows_process_private_bytes");
            Set<String> leak = pids(metrics, "leakwatch_leak_suspect");
            assertTrue(processes.containsAll(leak), "leak series of processes not in the scrape: " + leak + " vs " + processes);
            Config leaks = json(get("leaks.json"));
            double t = elapsed();
            for (String name : List.of(SAWLEAK, SAW, RESTARTED, FDS, CACHE)) {
                for (Config c : named(leaks, name)) {
                    String why = c.getString("process_id") + " " + (c.getBoolean("suspect") ? "suspect" : "not a suspect") + ": "
                            + (c.hasPath("private_bytes.why") ? c.getString("private_bytes.why") : "");
                    String verdictOnly = why.replaceAll("[0-9.]+", "#");
                    if (!verdictOnly.equals(lastWhy.put(name, verdictOnly))) {
                        changes.append(String.format(java.util.Locale.ROOT, "%6.1f s %s %s%n", t, name, why));
                    }
                    if (c.getBoolean("suspect")) {
                        firstFlag.putIfAbsent(name, t);
                        if (name.equals(CACHE)) {
                            cacheLastFlag = t;
                        }
                        if (name.equals(SAWLEAK) && suspectJson == null) {
                            suspectJson = leaks;
                        }
                        if (name.equals(RESTARTED)) {
                            restartedPid = c.getString("process_id");
                            earlierLives = c.getConfigList("earlier_lives").stream().map(l -> l.getString("process_id")).toList();
                        }
                        if (name.equals(FDS)) {
                            assertTrue(c.getBoolean("handles.suspect"), "the descriptor leak is a handle suspect: " + c.root().render());
                        }
                    }
                }
            }
            assertFalse(firstFlag.containsKey(SAW), "the sawtooth alone was flagged at " + t + " s: "
                    + named(leaks, SAW).stream().map(c -> c.getString("private_bytes.why")).toList());
            for (Process p : byName.values()) {
                assertTrue(p.isAlive(), "a child died");
            }
            Thread.sleep(1000);
        }
        Files.writeString(WORK.resolve("verdicts.txt"), "first flag (s after leakwatch started): " + firstFlag
                + "\ncache last flagged at: " + cacheLastFlag + "\nscrapes checked: " + scrapes + "\n"
                + "verdict changes (private bytes):\n" + changes);
        double target = 1.5 * WINDOW;
        assertTrue(firstFlag.containsKey(SAWLEAK) && firstFlag.get(SAWLEAK) <= target,
                "the leak under the sawtooth is flagged within a window and a half: " + firstFlag);
        assertTrue(firstFlag.containsKey(FDS) && firstFlag.get(FDS) <= target, "the descriptor leak is flagged: " + firstFlag);
        assertTrue(firstFlag.containsKey(RESTARTED) && firstFlag.get(RESTARTED) <= target,
                "the restarted leaker is flagged within a window and a half: " + firstFlag);
        assertNotNull(restartedPid);
        assertFalse(earlierLives.isEmpty(), "its earlier lives are listed");
        assertFalse(earlierLives.contains(restartedPid), "the verdict is on the current pid, the earlier ones are listed");
        assertTrue(Double.isNaN(cacheLastFlag) || cacheLastFlag <= CACHE_GROWS + WINDOW / 4.0 + 10,
                "the cache stopped being a suspect within a quarter window after it stopped growing: last flagged at " + cacheLastFlag);
        assertTrue(scrapes > 100);
        Config sawleak = named(suspectJson, SAWLEAK).get(0);
        assertTrue(sawleak.getInt("private_bytes.envelope_buckets") > 1, "judged on an envelope wider than one bucket: "
                + sawleak.root().render());
    }

    @Test
    @Order(2)
    @Execution(ExecutionMode.SAME_THREAD)
    void theMetricsSayTheSame() throws Exception {
        assertNotNull(suspectJson, "needs the leak flagged");
        String metrics = get("metrics");
        String pid = Long.toString(byName.get(SAWLEAK).pid());
        assertTrue(metrics.contains("leakwatch_leak_suspect{process=\"" + SAWLEAK + "\",process_id=\"" + pid + "\",} 1.0"), metrics);
        assertTrue(metrics.contains("leakwatch_leak_suspect{process=\"" + SAW + "\",process_id=\"" + byName.get(SAW).pid() + "\",} 0.0"),
                metrics);
        Matcher rate = Pattern.compile("leakwatch_leak_private_bytes_floor_growth_bytes_per_second\\{process=\"" + SAWLEAK
                + "\",process_id=\"" + pid + "\",} (\\S+)").matcher(metrics);
        assertTrue(rate.find());
        double perSecond = Double.parseDouble(rate.group(1));
        assertTrue(perSecond > 0.6 * SAWLEAK_KIB_PER_SECOND * 1024 && perSecond < 1.6 * SAWLEAK_KIB_PER_SECOND * 1024,
                "about " + SAWLEAK_KIB_PER_SECOND + " KiB/s: " + perSecond);
        assertTrue(metrics.contains("# HELP leakwatch_leak_history_coverage_seconds "));
        // the exposition with the leak families still passes Prometheus' own checker
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
    @Execution(ExecutionMode.SAME_THREAD)
    void theLeaksPageShowsTheSuspectRowAndChartInChromium() throws Exception {
        assertNotNull(suspectJson, "needs the leak flagged");
        Path screenshot = WORK.resolve("leaks-page.png");
        Files.deleteIfExists(screenshot);
        String dom = chromium(List.of("--dump-dom", base + "leaks"));
        String pid = Long.toString(byName.get(SAWLEAK).pid());
        assertTrue(dom.contains("<tr class=\"suspect\" data-pid=\"" + pid + "\">"), "suspect row in the rendered DOM");
        assertTrue(dom.contains("id=\"chart-" + pid + "\""), "chart in the DOM");
        assertTrue(dom.contains("class=\"trend\"") && dom.contains("class=\"envelope\""), "trend and envelope lines");
        assertFalse(dom.contains("<tr class=\"suspect\" data-pid=\"" + byName.get(SAW).pid() + "\">"), "the sawtooth row is not a suspect");
        assertTrue(dom.contains("Guessed runtime: Python"), "the runtime is guessed from the command line");

        chromium(List.of("--window-size=1200,3000", "--hide-scrollbars", "--screenshot=" + screenshot, base + "leaks"));
        assertTrue(Files.size(screenshot) > 10_000, "screenshot written");
        BufferedImage image = ImageIO.read(screenshot.toFile());
        // visible, not just present: the pixels of the suspect sections' red border and trend line (#c0392b), of the
        // floor dots and lines (#2c3e50 this life, #999999 earlier lives) and of the envelope (#27ae60) are on screen
        assertTrue(count(image, 0xc0392b) > 500, "suspect border and trend line visible");
        assertTrue(count(image, 0x2c3e50) + count(image, 0x999999) > 200, "floor lines and dots visible");
        assertTrue(count(image, 0x27ae60) > 50, "envelope visible");
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
    @Execution(ExecutionMode.SAME_THREAD)
    void stoppingLeakwatchSavesTheHistoryAndTheEarlierLivesForTheNextStart() throws Exception {
        assertNotNull(suspectJson, "needs the leak flagged");
        leakwatch.destroy(); // SIGTERM: the shutdown hook saves
        assertTrue(leakwatch.waitFor(20, TimeUnit.SECONDS));
        LeakSettings settings = new LeakSettings(true, 1, WINDOW, null, 1, 1);
        Path file = WORK.resolve("leak-state.json");
        LeakStateCodec.Decoded loaded;
        try (InputStream in = Files.newInputStream(file)) {
            loaded = LeakStateCodec.read(in, Files.size(file), LeakStateCodec.Limits.of(settings, LeakDetector.MAX_PROCESSES),
                    System.currentTimeMillis() / 1000.0);
        }
        assertEquals(StateFile.Verdict.USABLE, loaded.verdict(), loaded.problem());
        List<SavedHistory> saved = loaded.histories();
        long sawleakPid = byName.get(SAWLEAK).pid();
        assertTrue(saved.stream().anyMatch(h -> h.pid() == sawleakPid && h.buckets().ids().length >= 8), saved.toString());
        assertTrue(saved.stream().anyMatch(h -> h.name().equals(RESTARTED) && h.ended()), "earlier lives are saved too");
        assertTrue(saved.stream().anyMatch(h -> h.pid() == byName.get(SAW).pid()));
    }
}
