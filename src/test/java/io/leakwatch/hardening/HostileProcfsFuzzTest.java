package io.leakwatch.hardening;

import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import io.leakwatch.testing.FuzzSeed;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.ProcFixture;
import io.leakwatch.testing.Promtool;
import io.leakwatch.testing.TestExporter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Randomized and truncated content for every file the Linux backend parses (stat, status, io,
 * cmdline, fd/), through --path.procfs fixture trees: thousands of cases. None may hang or
 * throw out of the collector; every process is either exported or counted as skipped, and
 * every untouched process is exported. The seed is printed on failure to replay a round.
 */
@Tag("system")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostileProcfsFuzzTest {
    static final int ROUNDS = Integer.getInteger("leakwatch.fuzz.rounds", 16);
    static final int PROCESSES_PER_ROUND = 250;
    static final List<String> FILES = List.of("stat", "status", "io", "cmdline", "fd");

    @TempDir
    Path tmp;

    @Test
    void garbageInProcNeverHangsNeverThrowsAndIsCounted() throws Exception {
        long baseSeed = FuzzSeed.of("HostileProcfsFuzzTest", 20261130L);
        ExecutorService collector = Executors.newSingleThreadExecutor();
        int totalCases = 0;
        int totalSkipped = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                long seed = baseSeed + round;
                Random rnd = new Random(seed);
                ProcFixture proc = new ProcFixture(tmp.resolve("round" + round));
                Set<Long> untouched = new HashSet<>();
                for (long pid = 1000; pid < 1000 + PROCESSES_PER_ROUND; pid++) {
                    String comm = rnd.nextInt(4) == 0 ? "fifteen-bytes-x" : "proc" + pid; // 15 bytes: the cmdline path runs too
                    proc.addProcess(pid, comm, "/usr/bin/" + comm + "-daemon --flag value", 100 + pid);
                    if (rnd.nextInt(10) < 3) {
                        untouched.add(pid);
                    } else {
                        int damaged = 1 + rnd.nextInt(2);
                        for (int d = 0; d < damaged; d++) {
                            damage(proc.dir(pid), FILES.get(rnd.nextInt(FILES.size())), rnd);
                        }
                    }
                }
                String context = "seed " + seed + " (replay: -Dleakwatch.fuzz.seed=" + seed + " -Dleakwatch.fuzz.rounds=1)";

                LinuxProcBackend backend = new LinuxProcBackend(proc.root(), ProcessFilter.all(), true);
                Future<ProcessSnapshot> run = collector.submit(backend::collect);
                ProcessSnapshot snapshot;
                try {
                    snapshot = run.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    run.cancel(true);
                    fail("collection hung: " + context);
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new AssertionError("collector threw " + e.getCause() + ": " + context, e.getCause());
                } finally {
                    backend.close();
                }
                int exported = snapshot.processes().size();
                assertEquals(PROCESSES_PER_ROUND, exported + snapshot.skippedMalformed() + snapshot.skippedVanished(),
                        "every process is exported or counted once: " + context);
                Set<Long> pids = new HashSet<>();
                for (ProcessSample s : snapshot.processes()) {
                    assertTrue(pids.add(s.info().pid()), "pid twice: " + context);
                    assertNoInfinity(s, context);
                }
                assertTrue(pids.containsAll(untouched), "an undamaged process was dropped: " + context);
                totalCases += PROCESSES_PER_ROUND;
                totalSkipped += snapshot.skippedMalformed() + snapshot.skippedVanished();

                // The same tree through the real server: 200, valid exposition, the skips counted in the self-metric.
                // every name, as ProcessFilter.all() above: the default .+ does not match a name with a newline (as in Go)
                try (TestExporter exporter = TestExporter.start("--path.procfs=" + proc.root(),
                        "--collector.process.include=(?s).*")) {
                    var response = Http.get(exporter.port, "/metrics");
                    assertEquals(200, response.statusCode(), context);
                    String body = Http.body(response);
                    assertTrue(body.contains("windows_exporter_collector_success{collector=\"process\",} 1.0"), context);
                    assertEquals(snapshot.skippedMalformed(), counter(body, "malformed"), context);
                    assertEquals(snapshot.skippedVanished(), counter(body, "vanished"), context);
                    assertEquals(exported, body.lines().filter(l -> l.startsWith("windows_process_info{")).count(), context);
                    if (round % 4 == 0) {
                        Promtool.assertValidMetrics(body);
                    }
                }
            }
        } finally {
            collector.shutdownNow();
        }
        assertTrue(totalCases >= 4000 || ROUNDS < 16, "fewer cases than planned: " + totalCases);
        assertTrue(totalSkipped > totalCases / 4, "the damage should make many processes unreadable, got " + totalSkipped);
        System.out.println("hostile procfs: " + totalCases + " processes in " + ROUNDS + " rounds, " + totalSkipped + " skipped");
    }

    @Test
    void garbageSystemStatIsAOneLineStartupError() throws Exception {
        Random rnd = new Random(7);
        for (int i = 0; i < 200; i++) {
            ProcFixture proc = new ProcFixture(tmp.resolve("stat" + i));
            byte[] junk = new byte[rnd.nextInt(300)];
            rnd.nextBytes(junk);
            Files.write(proc.root().resolve("stat"), junk);
            try {
                new LinuxProcBackend(proc.root(), ProcessFilter.all(), true).close();
                // junk may by chance hold "btime N\n": then it is a valid stat
            } catch (IllegalArgumentException e) {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                assertTrue(e.getMessage().contains("btime"), e.getMessage());
            }
        }
    }

    private static long counter(String body, String reason) {
        Matcher m = Pattern.compile("leakwatch_collector_skipped_processes_total\\{collector=\"process\",reason=\"" + reason
                + "\",} ([0-9.E]+)").matcher(body);
        assertTrue(m.find(), "no skipped counter for " + reason);
        return (long) Double.parseDouble(m.group(1));
    }

    private static void assertNoInfinity(ProcessSample s, String context) throws Exception {
        for (RecordComponent c : ProcessSample.class.getRecordComponents()) {
            if (c.getType() == double.class) {
                double v = (double) c.getAccessor().invoke(s);
                assertFalse(Double.isInfinite(v), c.getName() + " is infinite: " + context);
            }
        }
    }

    /** One random kind of damage to one file (or to fd/). */
    static void damage(Path dir, String file, Random rnd) throws IOException {
        Path path = dir.resolve(file);
        if (file.equals("fd")) {
            deleteTree(path);
            switch (rnd.nextInt(3)) {
                case 0 -> Files.write(path, randomBytes(rnd, 50)); // a file where a folder belongs
                case 1 -> { } // gone
                default -> {
                    Files.createDirectories(path);
                    for (int i = 0; i < rnd.nextInt(300); i++) {
                        Files.createFile(path.resolve(Integer.toString(i)));
                    }
                }
            }
            return;
        }
        if (!Files.isRegularFile(path)) {
            return; // already deleted by an earlier damage
        }
        byte[] content = Files.readAllBytes(path);
        byte[] out = switch (rnd.nextInt(14)) {
            case 0 -> Arrays.copyOf(content, rnd.nextInt(content.length + 1));               // truncated
            case 1 -> new byte[0];                                                            // empty
            case 2 -> randomBytes(rnd, 1 + rnd.nextInt(5000));                                // noise
            case 3 -> flip(content, rnd, 1 + rnd.nextInt(8));                                 // bit rot
            case 4 -> replaceNumbers(content, "9".repeat(1 + rnd.nextInt(40)));              // overflow
            case 5 -> replaceNumbers(content, "-" + rnd.nextInt(1000));                       // negative
            case 6 -> replaceNumbers(content, "1e9");                                         // not an integer
            case 7 -> remove(content, (byte) (rnd.nextBoolean() ? ')' : '\n'));               // structure gone
            case 8 -> insert(content, rnd, "))) ((( ".getBytes(StandardCharsets.US_ASCII));    // extra parentheses
            case 9 -> repeat(content, 100 + rnd.nextInt(400));                                // far over the read cap
            case 10 -> insert(content, rnd, new byte[]{0, (byte) 0xff, (byte) 0xfe, '\n', 0});  // NUL and bad UTF-8
            case 11 -> content.length == 0 ? content : Arrays.copyOfRange(content, rnd.nextInt(content.length), content.length);
            case 12 -> new String(content, StandardCharsets.ISO_8859_1).replace(" ", "\t").replace(":", "")
                    .getBytes(StandardCharsets.ISO_8859_1);                                   // separators changed
            default -> { // missing file
                Files.deleteIfExists(path);
                yield null;
            }
        };
        if (out != null) {
            Files.write(path, out);
        }
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] flip(byte[] in, Random rnd, int times) {
        byte[] b = in.clone();
        for (int i = 0; i < times && b.length > 0; i++) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    private static byte[] replaceNumbers(byte[] in, String with) {
        return new String(in, StandardCharsets.ISO_8859_1).replaceAll("\\b\\d+\\b", with).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] remove(byte[] in, byte what) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte b : in) {
            if (b != what) {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static byte[] insert(byte[] in, Random rnd, byte[] what) {
        int at = in.length == 0 ? 0 : rnd.nextInt(in.length);
        byte[] out = new byte[in.length + what.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(in, at, out, at + what.length, in.length - at);
        return out;
    }

    private static byte[] repeat(byte[] in, int times) {
        byte[] out = new byte[in.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(in, 0, out, i * in.length, in.length);
        }
        return out;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
