package io.leakwatch.leak;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSnapshot;
import io.leakwatch.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leak detection's saving, on a clock the test moves (no sleeps): when it saves, what a failed save shows
 * in /metrics and in the log, and what it does to files that are not its own.
 */
class LeakWatchSavingTest {
    private static final DateTimeFormatter ASIDE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    @TempDir
    Path dir;

    /** Now, to the second: the collections this JVM's samples come from carry the real time. */
    private final Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private ScrapeCoordinator coordinator;
    private ListAppender<ILoggingEvent> log;

    @BeforeEach
    void setUp() {
        coordinator = new ScrapeCoordinator(new LinuxProcBackend(Path.of("/proc"), ProcessFilter.of("java", ""), false));
        log = new ListAppender<>();
        log.start();
        for (Class<?> c : List.of(LeakWatch.class, StateFile.class)) {
            ((Logger) LoggerFactory.getLogger(c)).addAppender(log);
        }
    }

    @AfterEach
    void tearDown() {
        for (Class<?> c : List.of(LeakWatch.class, StateFile.class)) {
            ((Logger) LoggerFactory.getLogger(c)).detachAppender(log);
        }
        coordinator.close();
    }

    private static LeakSettings settings(Path file) {
        return new LeakSettings(true, 60, 600, file, 1, 1); // a sample a minute: a test hour is 60 real collections
    }

    private LeakWatch start(Path file, ManualScheduler time) {
        LeakWatch watch = LeakWatch.start(settings(file), coordinator, 8L << 30, time.clock(), time);
        time.runDue(); // the first sample: this JVM
        return watch;
    }

    private static LeakStateCodec.Decoded readBack(Path file, ManualScheduler time) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return LeakStateCodec.read(in, Files.size(file), LeakStateCodec.Limits.of(settings(file), LeakDetector.MAX_PROCESSES),
                    time.clock().millis() / 1000.0);
        }
    }

    /** leakwatch_leak_state_* sample name -> value, as a scrape shows them. */
    private static Map<String, Double> stateMetrics(LeakWatch watch) {
        return watch.metrics().families((ProcessSnapshot) null).stream().filter(f -> f.name.startsWith("leakwatch_leak_state_"))
                .flatMap(f -> f.samples.stream()).collect(Collectors.toMap(s -> s.name, s -> s.value));
    }

    private List<String> lines(String containing) {
        return log.list.stream().map(e -> e.getFormattedMessage() + " " + Objects.toString(e.getKeyValuePairs(), ""))
                .filter(m -> m.contains(containing)).toList();
    }

    @Test
    void savesEveryMinuteAndOnCloseAndShowsWhenInMetrics() throws Exception {
        Path file = dir.resolve("leak-state.json");
        ManualScheduler time = new ManualScheduler(start);
        LeakWatch watch = start(file, time);
        assertTrue(Files.notExists(file));
        assertEquals(Map.of("leakwatch_leak_state_save_failures_total", 0.0, "leakwatch_leak_state_last_save_timestamp_seconds", 0.0),
                stateMetrics(watch));
        time.advance(Duration.ofSeconds(60));
        long myPid = ProcessHandle.current().pid();
        assertTrue(readBack(file, time).histories().stream().anyMatch(h -> h.pid() == myPid), "this JVM was sampled and saved");
        assertEquals((double) start.getEpochSecond() + 60, stateMetrics(watch).get("leakwatch_leak_state_last_save_timestamp_seconds"));
        time.advance(Duration.ofSeconds(30));
        watch.close();
        assertEquals((double) start.getEpochSecond() + 90, stateMetrics(watch).get("leakwatch_leak_state_last_save_timestamp_seconds"));
        assertEquals(List.of("leak-state.json", "leak-state.json.lock"), names(dir));
    }

    @Test
    void aFailedSaveIsCountedAndLoggedAtEveryFailureButNotEveryMinute() throws Exception {
        Path file = dir.resolve("leak-state.json");
        Path victim = Files.writeString(dir.resolve("victim"), "");
        ManualScheduler time = new ManualScheduler(start);
        LeakWatch watch = start(file, time);
        time.advance(Duration.ofSeconds(60));
        Files.delete(file);
        Files.createSymbolicLink(file, victim); // planted after start
        time.advance(Duration.ofMinutes(30));
        assertEquals(30.0, stateMetrics(watch).get("leakwatch_leak_state_save_failures_total"));
        assertEquals((double) start.getEpochSecond() + 60, stateMetrics(watch).get("leakwatch_leak_state_last_save_timestamp_seconds"));
        List<String> failures = lines("cannot save --leak.state-file");
        assertEquals(3, failures.size(), "the first, then one per 10 minutes: " + failures);
        assertTrue(failures.get(0).contains(file + " is now a symbolic link"), failures.get(0));
        assertTrue(failures.get(1).contains("(10 failed saves since the last line)"), failures.get(1));
        assertEquals("", Files.readString(victim), "never written through");

        Files.delete(file);
        time.advance(Duration.ofSeconds(60));
        assertEquals(1, lines("leak detection: saving --leak.state-file works again").size());
        watch.close();
        assertEquals(30.0, stateMetrics(watch).get("leakwatch_leak_state_save_failures_total"));
        assertEquals((double) start.getEpochSecond() + 32 * 60, stateMetrics(watch).get("leakwatch_leak_state_last_save_timestamp_seconds"));
    }

    @Test
    void aForeignFileSurvivesAWholeRunAndEverySkippedSaveCounts() throws Exception {
        Path file = dir.resolve("notes.txt");
        String notes = "my notes, not a state file\n";
        Files.writeString(file, notes);
        ManualScheduler time = new ManualScheduler(start);
        LeakWatch watch = start(file, time);
        time.advance(Duration.ofMinutes(2));
        watch.close();
        assertEquals(notes, Files.readString(file), "a typo'd --leak.state-file destroys nothing");
        assertEquals(List.of("notes.txt"), names(dir), "and creates nothing next to it");
        assertEquals(3.0, stateMetrics(watch).get("leakwatch_leak_state_save_failures_total"), "two periodic saves and the last");
        assertTrue(lines("is not a leakwatch leak state file").size() >= 2, "said at start and at the first refused save");
    }

    @Test
    void aDamagedFileIsKeptAsideAtTheFirstSaveAndANewOneSaved() throws Exception {
        Path file = dir.resolve("leak-state.json");
        String damaged = "{\"format\":\"leakwatch-leak-state\",\"version\":2,\"bucket_seconds\":12.5,\"processes\":[{\"pid\":1,";
        Files.writeString(file, damaged);
        ManualScheduler time = new ManualScheduler(start);
        LeakWatch watch = start(file, time);
        assertEquals(1, lines("is damaged").size(), log.list.toString());
        time.advance(Duration.ofSeconds(60));
        watch.close();
        assertEquals(StateFile.Verdict.USABLE, readBack(file, time).verdict());
        assertEquals(damaged, Files.readString(dir.resolve("leak-state.json." + ASIDE.format(start.plusSeconds(60)))), "kept as it was");
    }

    @Test
    void aStartThatFailsLeavesAnUnusableFileAsItWas() throws Exception {
        Path file = dir.resolve("leak-state.json");
        String old = "{\"format\":\"leakwatch-leak-state\",\"version\":1,\"bucket_seconds\":1.25,\"processes\":[]}";
        Files.writeString(file, old);
        ManualScheduler time = new ManualScheduler(start);
        start(file, time).discard(); // as when the port is taken
        assertEquals(old, Files.readString(file));
        assertEquals(List.of("leak-state.json", "leak-state.json.lock"), names(dir), "nothing renamed, nothing written");
        start(file, new ManualScheduler(start)).discard(); // and the lock was released
    }

    @Test
    void aSecondLeakWatchOnTheSameFileIsRefusedInOneLine() throws Exception {
        Path file = dir.resolve("leak-state.json");
        ManualScheduler time = new ManualScheduler(start);
        LeakWatch first = start(file, time);
        ManualScheduler other = new ManualScheduler(start);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LeakWatch.start(settings(file), coordinator,
                8L << 30, other.clock(), other));
        assertTrue(e.getMessage().startsWith("--leak.state-file " + file + " is in use by another leakwatch"), e.getMessage());
        assertTrue(other.isShutdown(), "the second one's sampler never runs");
        first.close();
        assertTrue(Files.exists(file));
    }

    @Test
    void theDefaultBeforeItNamedThePortIsReadOnceAndRemovedOnceSaved() throws Exception {
        Path older = dir.resolve("leak-state.json");
        Path file = dir.resolve("leak-state-9182.json");
        Files.writeString(older, "{\"format\":\"leakwatch-leak-state\",\"version\":2,\"bucket_seconds\":12.5,\"processes\":[]}");
        ManualScheduler time = new ManualScheduler(start);
        LeakWatch watch = LeakWatch.start(new LeakSettings(true, 60, 600, file, 1, 1, older), coordinator, 8L << 30, time.clock(), time);
        assertEquals(1, lines("read the history from " + older).size(), log.list.toString());
        time.advance(Duration.ofSeconds(60));
        assertEquals(List.of("leak-state-9182.json", "leak-state-9182.json.lock"), names(dir));
        watch.close();
    }

    @Test
    void noStateFileNoStateMetrics() {
        ManualScheduler time = new ManualScheduler(start);
        LeakWatch watch = LeakWatch.start(settings(null), coordinator, 8L << 30, time.clock(), time);
        time.advance(Duration.ofMinutes(2));
        assertEquals(Map.of(), stateMetrics(watch));
        watch.close();
    }

    private static List<String> names(Path d) throws Exception {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
