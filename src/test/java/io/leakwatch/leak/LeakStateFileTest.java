package io.leakwatch.leak;

import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.config.LeakSettings;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.leakwatch.leak.Series.MIB;
import static io.leakwatch.leak.Series.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeakStateFileTest {
    private static final LeakSettings SETTINGS = Series.settings(3600, 10);
    private static final ProcessInfo LEAKER = Series.info("leaker", 10, T0 - 100);
    private static final ProcessInfo QUIET = Series.info("quiet", 11, T0 - 100);

    @TempDir
    Path dir;

    /** Runs a leaker and a quiet process for {@code seconds} from {@code from}. */
    private static void feed(LeakDetector detector, int from, int seconds, ProcessInfo leaker, ProcessInfo quiet) {
        for (int t = from; t <= from + seconds; t += 10) {
            detector.ingest(Series.snapshot(Series.sample(leaker, 10 * MIB + 10_000.0 * t, 5 + t / 600), Series.sample(quiet, 20 * MIB, Double.NaN)),
                    T0 + t);
        }
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

        List<SavedHistory> saved = LeakStateFile.read(file, SETTINGS);
        assertEquals(2, saved.size());
        LeakDetector after = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        after.restore(saved);
        // leakwatch is back 20 s later: the first collection adopts the histories
        after.ingest(Series.snapshot(Series.sample(LEAKER, 10 * MIB + 10_000.0 * 3620, 11), Series.sample(QUIET, 20 * MIB, Double.NaN)),
                T0 + 3620);
        LeakReport reportAfter = after.evaluate(T0 + 3620);
        LeakVerdict leakerBefore = find(reportBefore, 10);
        LeakVerdict leakerAfter = find(reportAfter, 10);
        assertTrue(leakerAfter.suspect(), leakerAfter.privateBytes().why());
        assertEquals(leakerBefore.privateBytes().slopePerSecond(), leakerAfter.privateBytes().slopePerSecond(), 1.0);
        assertArrayEquals(leakerBefore.history().privateFloors(), java.util.Arrays.copyOf(leakerAfter.history().privateFloors(),
                leakerBefore.history().privateFloors().length));
        assertTrue(leakerAfter.coverageSeconds() >= 3600 - SETTINGS.bucketSeconds());
        LeakVerdict quietAfter = find(reportAfter, 11);
        assertFalse(quietAfter.suspect());
        assertTrue(Double.isNaN(quietAfter.lastHandles()), "an unknown handle count stays unknown (null in JSON)");
    }

    @Test
    void aProcessRestartedWhileLeakwatchWasDownStartsFresh() throws Exception {
        LeakDetector before = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        feed(before, 0, 3600, LEAKER, QUIET);
        assertTrue(find(before.evaluate(T0 + 3600), 10).suspect());
        Path file = dir.resolve("leak-state.json");
        LeakStateFile.write(file, SETTINGS, T0 + 3600, before.export());

        LeakDetector after = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        after.restore(LeakStateFile.read(file, SETTINGS));
        // pid 10 is now another process (new start time); pid 11 exited
        ProcessInfo restarted = Series.info("leaker", 10, T0 + 3700);
        after.ingest(Series.snapshot(Series.sample(restarted, 10 * MIB, 5)), T0 + 3720);
        LeakReport report = after.evaluate(T0 + 3720);
        assertEquals(1, report.processes().size());
        LeakVerdict v = report.processes().get(0);
        assertFalse(v.suspect());
        assertEquals(1, v.history().ids().length, "only its own sample");
        assertEquals(0, v.coverageSeconds());
        assertTrue(after.export().stream().noneMatch(h -> h.pid() == 11), "the exited process is not saved again");
    }

    @Test
    void stoppingBeforeTheFirstCollectionKeepsTheSavedHistory() throws Exception {
        LeakDetector before = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        feed(before, 0, 600, LEAKER, QUIET);
        Path file = dir.resolve("leak-state.json");
        LeakStateFile.write(file, SETTINGS, T0 + 600, before.export());
        LeakDetector after = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        after.restore(LeakStateFile.read(file, SETTINGS));
        assertEquals(2, after.export().size());
    }

    @Test
    void corruptForeignOrMismatchedFilesAreRefusedInOneLine() throws IOException {
        Path file = dir.resolve("state.json");
        for (String content : List.of(
                "{\"format\":\"leakwatch-leak-state\",\"version\":1,\"bucket_seconds\":75.0,\"processes\":[{\"pid\":1,",
                "\u0000\u0001\u0002garbage\u00ff",
                "{\"hello\":\"world\"}",
                "[1,2,3]",
                "{\"format\":\"leakwatch-leak-state\",\"version\":99,\"bucket_seconds\":75.0,\"processes\":[]}",
                "{\"format\":\"leakwatch-leak-state\",\"version\":1,\"bucket_seconds\":1800.0,\"processes\":[]}",
                "{\"format\":\"leakwatch-leak-state\",\"version\":1,\"bucket_seconds\":75.0,\"processes\":[{\"pid\":\"x\"}]}",
                "{\"format\":\"leakwatch-leak-state\",\"version\":1,\"bucket_seconds\":75.0,\"processes\":[{\"pid\":1,\"start_time\":1,"
                        + "\"name\":\"a\",\"first_sample\":1,\"last_sample\":2,\"buckets\":[[1]]}]}")) {
            Files.writeString(file, content, StandardCharsets.ISO_8859_1);
            LeakStateFile.Unusable e = assertThrows(LeakStateFile.Unusable.class, () -> LeakStateFile.read(file, SETTINGS), content);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void aMissingFileIsAnEmptyHistory() throws Exception {
        assertTrue(LeakStateFile.read(dir.resolve("none.json"), SETTINGS).isEmpty());
    }

    @Test
    void startingWithACorruptStateFileDoesNotCrashAndOverwritesItOnClose() throws Exception {
        Path file = dir.resolve("leak-state.json");
        Files.writeString(file, "{not json");
        LeakSettings settings = new LeakSettings(true, 1, 60, file, 1, 1);
        var backend = new LinuxProcBackend(Path.of("/proc"), ProcessFilter.of("java", ""), false);
        try (var coordinator = new ScrapeCoordinator(backend)) {
            LeakWatch watch = LeakWatch.start(settings, coordinator, 8L << 30);
            Thread.sleep(1500);
            watch.close();
        }
        List<SavedHistory> saved = LeakStateFile.read(file, settings);
        long myPid = ProcessHandle.current().pid();
        assertTrue(saved.stream().anyMatch(h -> h.pid() == myPid), "this JVM was sampled and saved");
    }

    private static LeakVerdict find(LeakReport report, long pid) {
        return report.processes().stream().filter(v -> v.info().pid() == pid).findFirst().orElseThrow();
    }
}
