package io.leakwatch.leak;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.leak.LeakSettings;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.leakwatch.leak.Series.MIB;
import static io.leakwatch.leak.Series.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeakStateFileTest {
    private static final LeakSettings SETTINGS = Series.settings(3600, 10);
    private static final LeakStateFile.Limits LIMITS = LeakStateFile.Limits.of(SETTINGS, LeakDetector.MAX_PROCESSES);
    private static final ProcessInfo LEAKER = Series.info("leaker", 10, T0 - 100);
    private static final ProcessInfo QUIET = Series.info("quiet", 11, T0 - 100);
    private static final String HEADER = "{\"format\":\"leakwatch-leak-state\",\"version\":2,\"bucket_seconds\":75.0,\"saved_at\":"
            + (T0 + 3600) + ",\"processes\":[";

    @TempDir
    Path dir;

    /** Runs a leaker and a quiet process for {@code seconds} from {@code from}, judged after every sample. */
    private static void feed(LeakDetector detector, int from, int seconds, ProcessInfo leaker, ProcessInfo quiet) {
        for (int t = from; t <= from + seconds; t += 10) {
            detector.ingest(Series.snapshot(Series.sample(leaker, 10 * MIB + 10_000.0 * t, 5 + t / 600),
                    Series.sample(quiet, 20 * MIB, Double.NaN)), T0 + t);
            detector.evaluate(T0 + t);
        }
    }

    private static LeakStateFile.Loaded read(Path file) {
        return LeakStateFile.read(file, LIMITS, T0 + 3700);
    }

    @Test
    void roundTripRestoresTheSameVerdictsForProcessesStillAlive() throws Exception {
        LeakDetector before = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        feed(before, 0, 3600, LEAKER, QUIET);
        LeakReport reportBefore = before.evaluate(T0 + 3600);
        Path file = dir.resolve("sub/leak-state.json");
        LeakStateFile.write(file, SETTINGS, T0 + 3600, before.export());
        try (var listing = Files.list(file.getParent())) {
            assertEquals(List.of(file), listing.toList(), "no temp file left behind");
        }

        LeakStateFile.Loaded loaded = read(file);
        assertEquals(LeakStateFile.Status.RESTORED, loaded.status(), loaded.message());
        assertEquals(2, loaded.histories().size());
        LeakDetector after = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        after.restore(loaded.histories());
        // leakwatch is back 20 s later: the first collection adopts the histories
        after.ingest(Series.snapshot(Series.sample(LEAKER, 10 * MIB + 10_000.0 * 3620, 11), Series.sample(QUIET, 20 * MIB, Double.NaN)),
                T0 + 3620);
        LeakReport reportAfter = after.evaluate(T0 + 3620);
        LeakVerdict leakerBefore = find(reportBefore, 10);
        LeakVerdict leakerAfter = find(reportAfter, 10);
        assertTrue(leakerBefore.suspect(), leakerBefore.privateBytes().why());
        assertTrue(leakerAfter.suspect(), "a suspect stays one across the restart: " + leakerAfter.privateBytes().why());
        assertEquals(leakerBefore.privateBytes().slopePerSecond(), leakerAfter.privateBytes().slopePerSecond(), 1.0);
        assertArrayEquals(leakerBefore.history().privateFloors(), Arrays.copyOf(leakerAfter.history().privateFloors(),
                leakerBefore.history().privateFloors().length));
        LeakVerdict quietAfter = find(reportAfter, 11);
        assertFalse(quietAfter.suspect());
        assertTrue(Double.isNaN(quietAfter.lastHandles()), "an unknown handle count stays unknown (null in JSON)");
    }

    @Test
    void restoringEverySavedProcessIsLoggedToo() throws Exception {
        LeakDetector before = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        feed(before, 0, 600, LEAKER, QUIET);
        Path file = dir.resolve("leak-state.json");
        LeakStateFile.write(file, SETTINGS, T0 + 600, before.export());

        Logger logger = (Logger) LoggerFactory.getLogger(LeakDetector.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            LeakDetector after = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
            after.restore(LeakStateFile.read(file, LIMITS, T0 + 620).histories());
            // both come back, so nothing is left pending after the first collection: it must still say so
            after.ingest(Series.snapshot(Series.sample(LEAKER, 10 * MIB, 5), Series.sample(QUIET, 20 * MIB, Double.NaN)), T0 + 620);
            after.ingest(Series.snapshot(Series.sample(LEAKER, 10 * MIB, 5), Series.sample(QUIET, 20 * MIB, Double.NaN)), T0 + 630);
        } finally {
            logger.detachAppender(events);
        }
        List<String> restoreLines = events.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("restored the history")).toList();
        assertEquals(List.of("leak detection: restored the history of 2 of 2 saved processes (the others exited or restarted)"),
                restoreLines, "one line, at the first collection");
    }

    @Test
    void aProcessRestartedWhileLeakwatchWasDownBecomesAnEarlierLifeOfItsService() throws Exception {
        LeakDetector before = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        feed(before, 0, 3600, LEAKER, QUIET);
        assertTrue(find(before.evaluate(T0 + 3600), 10).suspect());
        Path file = dir.resolve("leak-state.json");
        LeakStateFile.write(file, SETTINGS, T0 + 3600, before.export());

        LeakDetector after = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        after.restore(read(file).histories());
        // pid 10 is the same service restarted (new start time); pid 11 exited
        ProcessInfo restarted = Series.info("leaker", 10, T0 + 3700);
        after.ingest(Series.snapshot(Series.sample(restarted, 10 * MIB, 5)), T0 + 3720);
        LeakReport report = after.evaluate(T0 + 3720);
        assertEquals(1, report.processes().size());
        LeakVerdict v = report.processes().get(0);
        assertEquals(0, v.history().size(), "its own history starts empty");
        assertEquals(1, v.earlierLives().size(), "the saved life is an earlier life of the same service");
        assertEquals(T0 - 100, v.earlierLives().get(0).startSeconds());
        assertEquals(2, after.pastLifeCount(), "both saved processes are past lives now");
        assertEquals(3, after.export().size(), "saved again: two past lives and the running process");
    }

    @Test
    void stoppingBeforeTheFirstCollectionKeepsTheSavedHistory() throws Exception {
        LeakDetector before = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        feed(before, 0, 600, LEAKER, QUIET);
        Path file = dir.resolve("leak-state.json");
        LeakStateFile.write(file, SETTINGS, T0 + 600, before.export());
        LeakDetector after = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        after.restore(LeakStateFile.read(file, LIMITS, T0 + 700).histories());
        assertEquals(2, after.export().size());
    }

    @Test
    void aMissingOrEmptyFileIsAnEmptyHistoryThatMayBeCreated() throws Exception {
        assertEquals(LeakStateFile.Status.MISSING, read(dir.resolve("none.json")).status());
        Path empty = Files.createFile(dir.resolve("empty.json"));
        LeakStateFile.Loaded loaded = read(empty);
        assertEquals(LeakStateFile.Status.MISSING, loaded.status());
        assertTrue(loaded.mayOverwrite());
    }

    @Test
    void foreignFilesAreRefusedInOneLineAndNeverOverwritten() throws IOException {
        List<String> foreign = List.of("\u0000\u0001\u0002garbage\u00ff", "{\"hello\":\"world\"}", "[1,2,3]", "{not json",
                "{\"processes\":[],\"format\":\"leakwatch-leak-state\"}", "{\"format\":\"something-else\"}",
                "# my notes\nimportant: yes\n");
        for (String content : foreign) {
            Path file = dir.resolve("state.json");
            Files.writeString(file, content, StandardCharsets.ISO_8859_1);
            LeakStateFile.Loaded loaded = read(file);
            assertEquals(LeakStateFile.Status.FOREIGN, loaded.status(), content);
            assertFalse(loaded.mayOverwrite());
            assertOneLine(loaded.message(), file);
        }
        assertEquals(LeakStateFile.Status.FOREIGN, read(dir).status(), "a directory");
    }

    @Test
    void aForeignFileSurvivesAWholeRunOfLeakwatch() throws Exception {
        Path file = dir.resolve("notes.txt");
        String notes = "my notes, not a state file\n";
        Files.writeString(file, notes);
        runLeakWatchBriefly(file);
        assertEquals(notes, Files.readString(file), "a typo'd --leak.state-file destroys nothing");
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "and creates nothing next to it");
        }
    }

    @Test
    void ourFileWithAnotherWindowOrVersionIsKeptAsideAndANewOneSaved() throws Exception {
        for (String content : List.of(
                "{\"format\":\"leakwatch-leak-state\",\"version\":1,\"bucket_seconds\":1.25,\"processes\":[]}",
                "{\"format\":\"leakwatch-leak-state\",\"version\":2,\"bucket_seconds\":1800.0,\"processes\":[]}",
                "{\"format\":\"leakwatch-leak-state\",\"version\":99,\"bucket_seconds\":1.25,\"processes\":[]}")) {
            Path sub = Files.createTempDirectory(dir, "aside");
            Path file = sub.resolve("leak-state.json");
            Files.writeString(file, content);
            LeakStateFile.Loaded loaded = LeakStateFile.read(file, LeakStateFile.Limits.of(new LeakSettings(true, 1, 60, file, 1, 1),
                    LeakDetector.MAX_PROCESSES), System.currentTimeMillis() / 1000.0);
            assertEquals(LeakStateFile.Status.UNUSABLE, loaded.status(), content);
            assertOneLine(loaded.message(), file);
            runLeakWatchBriefly(file);
            try (var listing = Files.list(sub)) {
                List<Path> files = listing.sorted().toList();
                assertEquals(2, files.size(), files.toString());
                Path aside = files.stream().filter(p -> !p.equals(file)).findFirst().orElseThrow();
                assertTrue(aside.getFileName().toString().matches("leak-state\\.json\\.\\d{8}T\\d{6}Z"), aside.toString());
                assertEquals(content, Files.readString(aside), "the old file is kept as it was");
            }
            assertEquals(LeakStateFile.Status.RESTORED, LeakStateFile.read(file, LeakStateFile.Limits.of(
                    new LeakSettings(true, 1, 60, file, 1, 1), LeakDetector.MAX_PROCESSES), System.currentTimeMillis() / 1000.0).status());
        }
    }

    @Test
    void hostileContentIsBoundedAndNeverThrows() throws IOException {
        Path file = dir.resolve("state.json");
        String good = entry(10, "\"leaker\"", "[1000,1001,1002]");
        List<String> cases = List.of(
                HEADER + "[null]]}",
                HEADER + "null," + good + "]}",
                HEADER + "{\"pid\":null}]}",
                HEADER + "{\"pid\":\"x\"}," + good + "]}",
                HEADER + entry(-1, "\"a\"", "[1]") + "]}",
                HEADER + entry(99999999999L, "\"a\"", "[1]") + "]}",
                HEADER + entry(1, "42", "[1]") + "]}",
                HEADER + entry(1, "\"a\"", "[-5]") + "]}",
                HEADER + entry(1, "\"a\"", "[\"many\"]") + "]}",
                HEADER + entry(1, "\"a\"", "[1e999]") + "]}",
                HEADER + entry(1, "\"a\"", "[" + "1,".repeat(500) + "1]") + "]}",
                HEADER + entry(1, "\"" + "n".repeat(100_000) + "\"", "[1]") + "]}",
                HEADER + entry(1, "\"a\"", "[1]").replace("\"buckets\"", "\"x\":" + "[".repeat(5000) + "]".repeat(5000) + ",\"y\"") + "]}",
                HEADER + "[".repeat(100_000),
                HEADER + good,
                HEADER + good + "," + "{\"pid\":1,\"name\":\"" + "9".repeat(50) + "}");
        for (String content : cases) {
            Files.writeString(file, content);
            LeakStateFile.Loaded loaded = read(file);
            String shortCase = content.length() > 200 ? content.substring(0, 200) + "..." : content;
            assertTrue(loaded.status() == LeakStateFile.Status.PARTLY || loaded.status() == LeakStateFile.Status.UNUSABLE, shortCase
                    + " -> " + loaded.status());
            assertTrue(loaded.mayOverwrite() && loaded.keepAside(), "ours, so kept aside before the next save");
            assertOneLine(loaded.message(), file);
            assertTrue(loaded.histories().size() <= 1, shortCase);
            assertTrue(loaded.histories().stream().allMatch(h -> h.pid() == 10), "only the good entry: " + shortCase);
            if (content.contains(good)) {
                assertEquals(LeakStateFile.Status.PARTLY, loaded.status(), "the good entry is kept: " + shortCase);
                assertEquals(List.of(10L), loaded.histories().stream().map(SavedHistory::pid).toList(), shortCase);
            }
        }
    }

    @Test
    void aFileLargerThanTheSettingsAllowIsRefusedBeforeParsing() throws IOException {
        Path file = dir.resolve("big.json");
        long limit = LIMITS.maxFileBytes();
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(HEADER.getBytes(StandardCharsets.UTF_8));
            byte[] chunk = (" ".repeat(1023) + "\n").getBytes(StandardCharsets.UTF_8);
            for (long written = 0; written <= limit; written += chunk.length) {
                out.write(chunk);
            }
            out.write("]}".getBytes(StandardCharsets.UTF_8));
        }
        long start = System.nanoTime();
        LeakStateFile.Loaded loaded = read(file);
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "refused without reading it all");
        assertEquals(LeakStateFile.Status.UNUSABLE, loaded.status());
        assertTrue(loaded.message().contains("more than"), loaded.message());
        assertOneLine(loaded.message(), file);
    }

    @Test
    void aSymlinkedStateFileStaysASymlinkAndItsTargetIsReplaced() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real")).resolve("state.json");
        Path link = dir.resolve("link.json");
        Files.createSymbolicLink(link, Path.of("real", "state.json")); // relative, as people write them
        LeakDetector d = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        feed(d, 0, 600, LEAKER, QUIET);
        LeakStateFile.write(link, SETTINGS, T0 + 600, d.export());
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS));
        LeakStateFile.write(link, SETTINGS, T0 + 700, d.export());
        assertTrue(Files.isSymbolicLink(link), "saving again keeps the link");
        assertEquals(2, LeakStateFile.read(link, LIMITS, T0 + 700).histories().size());
        try (var listing = Files.list(real.getParent())) {
            assertEquals(List.of(real), listing.toList(), "the temporary file was next to the target");
        }
    }

    @Test
    void startingWithADamagedStateFileDoesNotCrashKeepsItAsideAndSaves() throws Exception {
        Path file = dir.resolve("leak-state.json");
        Files.writeString(file, "{\"format\":\"leakwatch-leak-state\",\"version\":2,\"bucket_seconds\":1.25,\"processes\":[{\"pid\":1,");
        runLeakWatchBriefly(file);
        LeakStateFile.Loaded saved = LeakStateFile.read(file, LeakStateFile.Limits.of(new LeakSettings(true, 1, 60, file, 1, 1),
                LeakDetector.MAX_PROCESSES), System.currentTimeMillis() / 1000.0);
        long myPid = ProcessHandle.current().pid();
        assertTrue(saved.histories().stream().anyMatch(h -> h.pid() == myPid), "this JVM was sampled and saved");
        try (var listing = Files.list(dir)) {
            assertEquals(2, listing.count(), "the damaged file was kept aside");
        }
    }

    @Test
    void aStartThatFailsLeavesAnUnusableFileAsItWas() throws Exception {
        Path file = dir.resolve("leak-state.json");
        String old = "{\"format\":\"leakwatch-leak-state\",\"version\":1,\"bucket_seconds\":1.25,\"processes\":[]}";
        Files.writeString(file, old);
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(new LinuxProcBackend(Path.of("/proc"),
                ProcessFilter.of("java", ""), false))) {
            LeakWatch.start(new LeakSettings(true, 1, 60, file, 1, 1), coordinator, 8L << 30).discard(); // as when the port is taken
        }
        assertEquals(old, Files.readString(file));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "nothing renamed, nothing written");
        }
    }

    private static void runLeakWatchBriefly(Path file) throws Exception {
        LeakSettings settings = new LeakSettings(true, 1, 60, file, 1, 1);
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(new LinuxProcBackend(Path.of("/proc"),
                ProcessFilter.of("java", ""), false))) {
            LeakWatch watch = LeakWatch.start(settings, coordinator, 8L << 30);
            Thread.sleep(1500);
            watch.close();
        }
    }

    private static String entry(long pid, String name, String privateFloors) {
        int n = privateFloors.split(",").length;
        long firstBucket = (long) Math.floor((T0 + 100) / 75.0);
        return "{\"pid\":" + pid + ",\"start_time\":" + (T0 - 100) + ",\"name\":" + name + ",\"first_sample\":" + (T0 + 100)
                + ",\"last_sample\":" + (T0 + 100 + 75 * n) + ",\"last_private_bytes\":1000,\"last_handles\":null,\"suspect\":false,"
                + "\"ended\":false,\"first_bucket\":" + firstBucket + ",\"buckets\":0,\"private_floors\":" + privateFloors
                + ",\"handle_floors\":[" + "null,".repeat(n - 1) + "null]}";
    }

    private static void assertOneLine(String message, Path file) {
        assertTrue(message != null && !message.contains("\n") && !message.contains("\r"), String.valueOf(message));
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.length() < 600, "short: " + message.length());
    }

    private static LeakVerdict find(LeakReport report, long pid) {
        return report.processes().stream().filter(v -> v.info().pid() == pid).findFirst().orElseThrow();
    }
}
