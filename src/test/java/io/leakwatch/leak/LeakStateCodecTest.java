package io.leakwatch.leak;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.leakwatch.model.ProcessInfo;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.leakwatch.leak.Series.MIB;
import static io.leakwatch.leak.Series.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state file's content, on bytes: what is written, what is read back, and what a damaged or hostile file costs. */
class LeakStateCodecTest {
    private static final LeakSettings SETTINGS = Series.settings(3600, 10);
    private static final LeakStateCodec.Limits LIMITS = LeakStateCodec.Limits.of(SETTINGS, LeakDetector.MAX_PROCESSES);
    private static final ProcessInfo LEAKER = Series.info("leaker", 10, T0 - 100);
    private static final ProcessInfo QUIET = Series.info("quiet", 11, T0 - 100);
    private static final String HEADER = "{\"format\":\"leakwatch-leak-state\",\"version\":2,\"bucket_seconds\":75.0,\"saved_at\":"
            + (T0 + 3600) + ",\"processes\":[";

    /** Runs a leaker and a quiet process for {@code seconds} from {@code from}, judged after every sample. */
    private static void feed(LeakDetector detector, int from, int seconds, ProcessInfo leaker, ProcessInfo quiet) {
        for (int t = from; t <= from + seconds; t += 10) {
            detector.ingest(Series.snapshot(Series.sample(leaker, 10 * MIB + 10_000.0 * t, 5 + t / 600),
                    Series.sample(quiet, 20 * MIB, Double.NaN)), T0 + t);
            detector.evaluate(T0 + t);
        }
    }

    private static byte[] write(double bucketSeconds, double savedAt, List<SavedHistory> histories) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LeakStateCodec.write(out, bucketSeconds, savedAt, histories);
        return out.toByteArray();
    }

    private static LeakStateCodec.Decoded read(byte[] bytes, LeakStateCodec.Limits limits, double now) {
        return LeakStateCodec.read(new ByteArrayInputStream(bytes), bytes.length, limits, now);
    }

    private static LeakStateCodec.Decoded read(String content) {
        return read(content.getBytes(StandardCharsets.UTF_8), LIMITS, T0 + 3700);
    }

    private static byte[] saved(LeakDetector detector, double at) throws IOException {
        return write(SETTINGS.bucketSeconds(), at, detector.export());
    }

    @Test
    void writesTheFormatByteForByte() throws IOException {
        FloorHistory.Buckets b = new FloorHistory.Buckets(75, new long[]{100, 102}, new double[]{1000, 1500.5}, new double[]{Double.NaN, 7});
        ServiceIdentity svc = ServiceIdentity.of("svc", "root", "/usr/bin/x");
        List<SavedHistory> histories = List.of(
                new SavedHistory(42, 1000.5, "a\"b", null, 7500, 7700, 1500, Double.NaN, true, false, b),
                new SavedHistory(43, 1000, "c", svc, 7500, 7700, Double.NaN, 3, false, true,
                        new FloorHistory.Buckets(75, new long[0], new double[0], new double[0])));
        String expected = "{\"format\":\"leakwatch-leak-state\",\"version\":2,\"bucket_seconds\":75.0,\"saved_at\":1.7900000005E9,"
                + "\"processes\":[{\"pid\":42,\"start_time\":1000.5,\"name\":\"a\\\"b\",\"first_sample\":7500.0,\"last_sample\":7700.0,"
                + "\"last_private_bytes\":1500,\"last_handles\":null,\"suspect\":true,\"ended\":false,\"first_bucket\":100,"
                + "\"private_floors\":[1000,null,1500.5],\"handle_floors\":[null,null,7]},"
                + "{\"pid\":43,\"start_time\":1000.0,\"name\":\"c\",\"service\":\"" + svc.hex() + "\",\"first_sample\":7500.0,"
                + "\"last_sample\":7700.0,\"last_private_bytes\":null,\"last_handles\":3,\"suspect\":false,\"ended\":true,"
                + "\"first_bucket\":0,\"private_floors\":[],\"handle_floors\":[]}]}";
        byte[] bytes = write(75, 1_790_000_000.5, histories);
        assertEquals(expected, new String(bytes, StandardCharsets.UTF_8));

        LeakStateCodec.Decoded back = read(bytes, new LeakStateCodec.Limits(75, 3600, 10), 7800);
        assertEquals(StateFile.Verdict.USABLE, back.verdict(), back.problem());
        assertEquals(expected, new String(write(75, 1_790_000_000.5, back.histories()), StandardCharsets.UTF_8), "read back whole");
    }

    @Test
    void roundTripRestoresTheSameVerdictsForProcessesStillAlive() throws Exception {
        LeakDetector before = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        feed(before, 0, 3600, LEAKER, QUIET);
        LeakReport reportBefore = before.evaluate(T0 + 3600);
        byte[] bytes = saved(before, T0 + 3600);

        LeakStateCodec.Decoded loaded = read(bytes, LIMITS, T0 + 3700);
        assertEquals(StateFile.Verdict.USABLE, loaded.verdict(), loaded.problem());
        assertEquals(2, loaded.histories().size());
        assertArrayEquals(bytes, write(SETTINGS.bucketSeconds(), T0 + 3600, loaded.histories()), "everything written is read back");
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
        byte[] bytes = saved(before, T0 + 600);

        Logger logger = (Logger) LoggerFactory.getLogger(LeakDetector.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            LeakDetector after = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
            after.restore(read(bytes, LIMITS, T0 + 620).histories());
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
        byte[] bytes = saved(before, T0 + 3600);

        LeakDetector after = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        after.restore(read(bytes, LIMITS, T0 + 3700).histories());
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
        LeakDetector after = new LeakDetector(SETTINGS, 64 * 1024 * MIB);
        after.restore(read(saved(before, T0 + 600), LIMITS, T0 + 700).histories());
        assertEquals(2, after.export().size());
    }

    @Test
    void foreignContentIsNotOurs() {
        for (String content : List.of("\u0000\u0001\u0002garbage\u00ff", "{\"hello\":\"world\"}", "[1,2,3]", "{not json",
                "{\"processes\":[],\"format\":\"leakwatch-leak-state\"}", "{\"format\":\"something-else\"}",
                "# my notes\nimportant: yes\n")) {
            LeakStateCodec.Decoded d = read(content);
            assertEquals(StateFile.Verdict.FOREIGN, d.verdict(), content);
            assertEquals(List.of(), d.histories());
        }
    }

    @Test
    void ourContentOfAnotherWindowOrVersionIsKeptAside() {
        Map<String, String> cases = Map.of(
                "{\"format\":\"leakwatch-leak-state\",\"version\":1,\"bucket_seconds\":75.0,\"processes\":[]}", "has format version 1",
                "{\"format\":\"leakwatch-leak-state\",\"version\":2,\"bucket_seconds\":1800.0,\"processes\":[]}", "another --leak.window",
                "{\"format\":\"leakwatch-leak-state\",\"version\":99,\"bucket_seconds\":75.0,\"processes\":[]}", "has format version 99",
                "{\"format\":\"leakwatch-leak-state\",\"processes\":[]}", "has format version none");
        cases.forEach((content, problem) -> {
            LeakStateCodec.Decoded d = read(content);
            assertEquals(StateFile.Verdict.KEEP_ASIDE, d.verdict(), content);
            assertOneLine(d.problem());
            assertTrue(d.problem().contains(problem), d.problem());
        });
    }

    @Test
    void hostileContentIsBoundedAndNeverThrows() {
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
                HEADER + entry(1, "\"a\"", "[" + "1,".repeat(500) + "1]") + "," + good + "]}",
                HEADER + entry(1, "\"" + "n".repeat(100_000) + "\"", "[1]") + "]}",
                HEADER + entry(1, "\"a\"", "[1]").replace("\"buckets\"", "\"x\":" + "[".repeat(5000) + "]".repeat(5000) + ",\"y\"") + "]}",
                HEADER + "[".repeat(100_000),
                HEADER + good,
                HEADER + good + "," + "{\"pid\":1,\"name\":\"" + "9".repeat(50) + "}");
        for (String content : cases) {
            LeakStateCodec.Decoded d = read(content);
            String shortCase = content.length() > 200 ? content.substring(0, 200) + "..." : content;
            assertEquals(StateFile.Verdict.KEEP_ASIDE, d.verdict(), "ours, so kept aside before the next save: " + shortCase);
            assertOneLine(d.problem());
            assertTrue(d.histories().stream().allMatch(h -> h.pid() == 10), "only the good entry: " + shortCase);
            if (content.contains(good)) {
                assertEquals(List.of(10L), d.histories().stream().map(SavedHistory::pid).toList(), "the good entry is kept: " + shortCase);
            }
        }
    }

    @Test
    void eachBadFieldCostsOnlyItsEntryAndIsNamed() {
        String good = entry(10, "\"leaker\"", "[1000,1001,1002]");
        Map<String, String> cases = Map.ofEntries(
                Map.entry(good.replace("\"pid\":10", "\"pid\":1.5"), "pid is not an integer"),
                Map.entry(good.replace("\"pid\":10", "\"pid\":123456789012345678901234567890"), "pid is out of range"),
                Map.entry(good.replace("\"pid\":10,", ""), "pid is missing"),
                Map.entry(good.replace("\"name\":\"leaker\"", "\"name\":{\"a\":1}"), "name is an object"),
                Map.entry(good.replace("\"name\":\"leaker\"", "\"name\":\"" + "n".repeat(1025) + "\""), "name is not a string of at most 1024"),
                Map.entry(good.replace("\"suspect\":false", "\"suspect\":\"no\""), "suspect is not true or false"),
                Map.entry(good.replace("\"start_time\":" + (T0 - 100), "\"start_time\":-3"), "start_time is not a finite, non-negative"),
                Map.entry(good.replace("\"last_handles\":null", "\"last_handles\":\"x\""), "last_handles is not a number"),
                Map.entry(good.replace("\"ended\":false", "\"service\":\"xyz\",\"ended\":false"), "service is not 32 hex digits"),
                Map.entry(good.replace("[1000,1001,1002]", "[1000,[1],1002]"), "private_floors holds something other than"),
                Map.entry(good.replace("[1000,1001,1002]", "[1000,1001]"), "private_floors and handle_floors differ in length"),
                Map.entry(good.replace("\"first_sample\":" + (T0 + 100), "\"first_sample\":" + (T0 + 9000)), "times out of order"),
                Map.entry(good.replace("\"first_bucket\":", "\"first_bucket\":1"), "buckets outside the sampled span"));
        cases.forEach((bad, problem) -> {
            LeakStateCodec.Decoded d = read(HEADER + bad + "," + good + "]}");
            assertEquals(StateFile.Verdict.KEEP_ASIDE, d.verdict(), bad);
            assertTrue(d.problem().contains("entry 1: " + problem), problem + " <- " + d.problem());
            assertEquals(List.of(10L), d.histories().stream().map(SavedHistory::pid).toList(), "the next entry is read: " + problem);
        });
    }

    @Test
    void fieldsItDoesNotKnowAreIgnoredSoANewerFileStillReads() {
        String entry = entry(10, "\"leaker\"", "[1000,1001,1002]").replace("{\"pid\"",
                "{\"verdicts\":{\"handles\":{\"streak\":3}},\"tags\":[[1],{}],\"note\":\"x\",\"pid\"");
        LeakStateCodec.Decoded d = read(HEADER.replace("\"saved_at\"", "\"host\":{\"a\":[1]},\"saved_at\"") + entry + "]}");
        assertEquals(StateFile.Verdict.USABLE, d.verdict(), d.problem());
        assertEquals(1, d.histories().size());
    }

    @Test
    void contentLargerThanTheSettingsAllowIsRefusedAfterItsFirstBytes() {
        long limit = LIMITS.maxFileBytes();
        byte[] header = HEADER.getBytes(StandardCharsets.UTF_8);
        long[] read = {0};
        InputStream endless = new InputStream() { // a header, then spaces for ever
            @Override
            public int read() {
                return read[0] < header.length ? header[(int) read[0]++] : (read[0]++ >= 0 ? ' ' : -1);
            }
        };
        LeakStateCodec.Decoded d = LeakStateCodec.read(endless, limit + 1, LIMITS, T0 + 3700);
        assertEquals(StateFile.Verdict.KEEP_ASIDE, d.verdict());
        assertTrue(d.problem().contains("more than the " + limit), d.problem());
        assertTrue(read[0] < 64 * 1024, "refused without reading it all: " + read[0] + " bytes");
    }

    private static String entry(long pid, String name, String privateFloors) {
        int n = privateFloors.split(",").length;
        long firstBucket = (long) Math.floor((T0 + 100) / 75.0);
        return "{\"pid\":" + pid + ",\"start_time\":" + (T0 - 100) + ",\"name\":" + name + ",\"first_sample\":" + (T0 + 100)
                + ",\"last_sample\":" + (T0 + 100 + 75 * n) + ",\"last_private_bytes\":1000,\"last_handles\":null,\"suspect\":false,"
                + "\"ended\":false,\"first_bucket\":" + firstBucket + ",\"buckets\":0,\"private_floors\":" + privateFloors
                + ",\"handle_floors\":[" + "null,".repeat(n - 1) + "null]}";
    }

    private static void assertOneLine(String message) {
        assertTrue(message != null && !message.contains("\n") && !message.contains("\r"), String.valueOf(message));
        assertTrue(message.length() < 600, "short: " + message.length());
    }

    private static LeakVerdict find(LeakReport report, long pid) {
        return report.processes().stream().filter(v -> v.info().pid() == pid).findFirst().orElseThrow();
    }
}
