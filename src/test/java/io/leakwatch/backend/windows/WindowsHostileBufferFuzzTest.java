package io.leakwatch.backend.windows;

import com.sun.jna.Pointer;
import io.leakwatch.guard.DistinctPidsBackend;
import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import io.leakwatch.testing.FuzzSeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile SYSTEM_PROCESS_INFORMATION buffers (issue 6), beyond SpiParserTest's header flips:
 * NextEntryOffset into the header, past the end or huge (the walk must still end), name pointers
 * outside the buffer or odd-sized, NULL names on real pids, thread counts that cannot fit,
 * truncated lengths and pure noise. Each case goes through the real WindowsProcessBackend with
 * its native buffer: it must never throw or hang, and what it skips must equal the parser's
 * count of malformed records, which the exposition exports as leakwatch_collector_skipped_processes_total.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WindowsHostileBufferFuzzTest {
    private static final int CASES = Integer.getInteger("leakwatch.fuzz.windows.cases", 5000);
    private static final int RECORDS = 30;

    /** Writes a corrupted process table into the backend's own native buffer. */
    private static final class HostileNtQuery implements SystemInformationCall {
        final Random rnd;
        byte[] lastBytes;
        long lastBase;
        int lastLength;
        int kind;

        HostileNtQuery(Random rnd) {
            this.rnd = rnd;
        }

        @Override
        public int querySystemProcessInformation(Pointer buffer, int bufferLength, Pointer returnLength) {
            long base = Pointer.nativeValue(buffer);
            SpiBufferBuilder b = new SpiBufferBuilder();
            for (int i = 0; i < RECORDS; i++) {
                b.add(SpiBufferBuilder.record(8 + 4L * i, "proc" + i + ".exe", i % 5, i), i % 3);
            }
            byte[] bytes = b.build(base);
            if (bytes.length > bufferLength) {
                returnLength.setInt(0, bytes.length);
                return NtStatus.INFO_LENGTH_MISMATCH;
            }
            kind = rnd.nextInt(10);
            int length = corrupt(bytes, b.offsets, base, kind, rnd);
            buffer.write(0, bytes, 0, bytes.length);
            returnLength.setInt(0, length);
            lastBytes = bytes;
            lastBase = base;
            lastLength = length;
            return NtStatus.SUCCESS;
        }
    }

    /** @return the length to report (may be shorter than the bytes written) */
    static int corrupt(byte[] bytes, List<Integer> offsets, long base, int kind, Random rnd) {
        ByteBuffer out = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int victim = offsets.get(rnd.nextInt(offsets.size()));
        int times = 1 + rnd.nextInt(3);
        for (int t = 0; t < times; t++) {
            switch (kind) {
                case 0 -> out.putInt(victim, rnd.nextInt(0x100));                           // next into the header (backwards/self)
                case 1 -> out.putInt(victim, bytes.length - victim + rnd.nextInt(1 << 20)); // next past the end
                case 2 -> out.putInt(victim, 0xFFFFFFFF - rnd.nextInt(0x1000));              // huge: wraps if added as int
                case 3 -> out.putLong(victim + 0x40, rnd.nextBoolean() ? rnd.nextLong()      // name pointer anywhere
                        : base + bytes.length - 1 - rnd.nextInt(4));                         // or straddling the end
                case 4 -> out.putShort(victim + 0x38, (short) (0xFFFF - rnd.nextInt(16)));   // name length huge or odd
                case 5 -> out.putLong(victim + 0x40, 0L);                                    // NULL name on a real pid
                case 6 -> out.putInt(victim + 0x04, rnd.nextBoolean() ? -1 : 1 + rnd.nextInt(1 << 16)); // thread count
                case 7 -> {
                    return rnd.nextInt(bytes.length + 1);                                    // truncated length
                }
                case 8 -> rnd.nextBytes(bytes);                                              // pure noise
                default -> {
                    for (int i = 0; i < 8; i++) {
                        bytes[rnd.nextInt(bytes.length)] = (byte) rnd.nextInt(256);          // flips anywhere
                    }
                }
            }
        }
        return bytes.length;
    }

    @Test
    void hostileBuffersAreSkippedAndCountedNeverThrown() throws Exception {
        long seed = FuzzSeed.of("WindowsHostileBufferFuzzTest", 20261130L);
        HostileNtQuery nt = new HostileNtQuery(new Random(seed));
        int skipped = 0;
        int exported = 0;
        // DistinctPidsBackend is what Exporter puts around every backend (ProcessGuards)
        try (ProcessBackend backend = new DistinctPidsBackend(new WindowsProcessBackend(
                new ProcessInformationBuffer(nt, 1 << 16, 6, 1 << 24), new WindowsProcessBackendTest.FakeDetails(), ProcessFilter.all(), true, false))) {
            for (int i = 0; i < CASES; i++) {
                String context = "case " + i + ", seed " + seed + " (-Dleakwatch.fuzz.seed=" + seed + ")";
                ProcessSnapshot snapshot = backend.collect();
                context += " kind " + nt.kind;
                SpiParse expected = SpiParser.parse(ByteBuffer.wrap(nt.lastBytes), nt.lastLength, nt.lastBase);
                long repeats = expected.records().size() - expected.records().stream().map(SpiRecord::pid).distinct().count();
                assertEquals(expected.malformed() + repeats, snapshot.skippedMalformed(), context);
                assertTrue(expected.records().size() + expected.malformed() <= nt.lastBytes.length / SpiLayout.HEADER_SIZE + 1, context);
                Set<Long> pids = new HashSet<>();
                for (ProcessSample s : snapshot.processes()) {
                    assertNotNull(s.info().name(), context);
                    assertTrue(pids.add(s.info().pid()), "pid twice: " + s.info().pid() + " " + context
                            + " parsed " + expected.records().stream().map(r -> r.pid() + "/" + r.imageName()).toList());
                }
                assertEquals(expected.records().size() - repeats, snapshot.processes().size(), context);
                skipped += snapshot.skippedMalformed();
                exported += snapshot.processes().size();
            }
        }
        assertTrue(skipped > CASES / 2, "the corruption should be noticed, skipped only " + skipped);
        System.out.println("hostile Windows buffers: " + CASES + " cases, " + exported + " processes exported, " + skipped + " records skipped");
    }
}
