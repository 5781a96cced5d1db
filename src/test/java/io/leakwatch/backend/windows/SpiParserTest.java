package io.leakwatch.backend.windows;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import static io.leakwatch.backend.windows.SpiBufferBuilder.record;
import static io.leakwatch.backend.windows.SpiBufferBuilder.withName;
import static io.leakwatch.backend.windows.SpiLayout.*;
import static org.junit.jupiter.api.Assertions.*;

class SpiParserTest {
    private static final long BASE = 0x0000_01F4_2A30_0000L;

    @Test
    void readsEveryFieldOfHandBuiltRecords() {
        SpiRecord idle = withName(record(0, null, 2, 1), null);
        SpiRecord system = record(4, "System", 3, 2);
        SpiRecord svc = record(4242, "leaky-agent.EXE", 7, 3);
        SpiBufferBuilder b = new SpiBufferBuilder().add(idle).add(system).add(svc);
        SpiParse parse = SpiParser.parse(b.build(BASE), BASE);

        assertEquals(0, parse.malformed(), parse.problem());
        assertEquals("", parse.problem());
        assertEquals(List.of(idle, system, svc), parse.records()); // record equality: all 25 fields
        // spot-check values a shifted offset would silently swap
        SpiRecord r = parse.records().get(2);
        assertEquals(3 * 4096 + 1, r.workingSetPrivateSize());
        assertEquals((6L << 32) + 3, r.privatePageCount());
        assertEquals(20_003, r.quotaPagedPoolUsage());
        assertEquals(30_003, r.quotaNonPagedPoolUsage());
        assertEquals((1L << 40) + 3, r.virtualSize());
        assertEquals(14, r.readOperationCount());
        assertEquals(26, r.otherTransferCount());
        assertEquals(70_003, r.pageFaultCount());
    }

    @Test
    void idleRecordWithNullNameIsKeptWithoutName() {
        SpiRecord idle = withName(record(0, null, 4, 9), null);
        SpiParse parse = SpiParser.parse(new SpiBufferBuilder().add(idle).build(BASE), BASE);
        assertEquals(0, parse.malformed());
        assertNull(parse.records().get(0).imageName());
        assertEquals("Idle", WindowsProcessNames.of(parse.records().get(0).pid(), parse.records().get(0).imageName()));
    }

    @Test
    void walksUnalignedRecords() {
        SpiBufferBuilder b = new SpiBufferBuilder()
                .add(record(8, "a.exe", 1, 1), 3)
                .add(record(12, "bb.exe", 2, 2), 5)
                .add(record(16, "ccc.exe", 0, 3), 1)
                .add(record(20, "dddd.exe", 1, 4));
        byte[] bytes = b.build(BASE);
        assertTrue(b.offsets.stream().anyMatch(o -> o % 8 != 0), "test must place records off 8-byte boundaries");
        SpiParse parse = SpiParser.parse(bytes, BASE);
        assertEquals(0, parse.malformed(), parse.problem());
        assertEquals(List.of("a.exe", "bb.exe", "ccc.exe", "dddd.exe"),
                parse.records().stream().map(SpiRecord::imageName).toList());
        assertEquals(List.of(8L, 12L, 16L, 20L), parse.records().stream().map(SpiRecord::pid).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L), parse.records().stream().map(r -> r.createTime() % 10_000_000L == 0
                ? (r.createTime() - 133_000_000_000_000_000L) / 10_000_000L : -1).toList());
    }

    @Test
    void readsFromADirectBufferOffsetInsideALargerAllocation() {
        // What the backend hands over from a JNA Memory: a direct buffer, capacity larger than the data.
        byte[] bytes = new SpiBufferBuilder().add(record(8, "x.exe", 2, 1)).add(record(9, "y.exe", 0, 2)).build(BASE);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 4096).order(ByteOrder.BIG_ENDIAN);
        direct.put(bytes).position(17);
        SpiParse parse = SpiParser.parse(direct, bytes.length, BASE);
        assertEquals(0, parse.malformed());
        assertEquals(List.of("x.exe", "y.exe"), parse.records().stream().map(SpiRecord::imageName).toList());
    }

    @Test
    void recordWithManyThreads() {
        SpiRecord big = record(777, "sqlservr.exe", 5000, 7);
        SpiParse parse = SpiParser.parse(new SpiBufferBuilder().add(big).add(record(778, "after.exe", 1, 8)).build(BASE), BASE);
        assertEquals(0, parse.malformed());
        assertEquals(5000, parse.records().get(0).threads());
        assertEquals("sqlservr.exe", parse.records().get(0).imageName());
        assertEquals("after.exe", parse.records().get(1).imageName());
    }

    @Test
    void nextEntryOffsetPastTheEndStopsTheWalkAndCountsIt() {
        SpiBufferBuilder b = threeRecords();
        byte[] bytes = b.build(BASE);
        putInt(bytes, b.offsets.get(1) + NEXT_ENTRY_OFFSET, bytes.length); // second points beyond the buffer
        SpiParse parse = SpiParser.parse(bytes, BASE);
        assertEquals(List.of(1L), pids(parse));
        assertEquals(1, parse.malformed());
        assertTrue(parse.problem().contains("NextEntryOffset"), parse.problem());
    }

    @Test
    void nextEntryOffsetIntoTheHeaderOrBackwardsCannotLoop() {
        for (int next : new int[]{8, HEADER_SIZE - 1, -HEADER_SIZE, -1}) {
            SpiBufferBuilder b = threeRecords();
            byte[] bytes = b.build(BASE);
            putInt(bytes, b.offsets.get(1) + NEXT_ENTRY_OFFSET, next);
            SpiParse parse = SpiParser.parse(bytes, BASE);
            assertEquals(List.of(1L), pids(parse), "next=" + next);
            assertEquals(1, parse.malformed(), "next=" + next);
        }
    }

    @Test
    void threadCountThatDoesNotFitSkipsOnlyThatRecord() {
        SpiBufferBuilder b = threeRecords();
        byte[] bytes = b.build(BASE);
        putInt(bytes, b.offsets.get(1) + NUMBER_OF_THREADS, 1_000_000);
        SpiParse parse = SpiParser.parse(bytes, BASE);
        assertEquals(List.of(1L, 3L), pids(parse));
        assertEquals(1, parse.malformed());
        assertTrue(parse.problem().contains("threads"), parse.problem());

        putInt(bytes, b.offsets.get(1) + NUMBER_OF_THREADS, -1); // 4 billion threads: no overflow either
        assertEquals(List.of(1L, 3L), pids(SpiParser.parse(bytes, BASE)));
    }

    @Test
    void lastRecordThreadCountIsCheckedAgainstTheBufferEnd() {
        SpiBufferBuilder b = threeRecords();
        byte[] bytes = b.build(BASE);
        putInt(bytes, b.offsets.get(2) + NUMBER_OF_THREADS, 50);
        SpiParse parse = SpiParser.parse(bytes, BASE);
        assertEquals(List.of(1L, 2L), pids(parse));
        assertEquals(1, parse.malformed());
    }

    @Test
    void namePointerOutsideTheBufferSkipsTheRecord() {
        long[] badPointers = {BASE - 2, BASE + 1_000_000, 0x10, -1L, BASE + 0}; // last: length runs past the end
        for (long pointer : badPointers) {
            SpiBufferBuilder b = threeRecords();
            byte[] bytes = b.build(BASE);
            putLong(bytes, b.offsets.get(1) + IMAGE_NAME_BUFFER, pointer);
            if (pointer == BASE) {
                putShort(bytes, b.offsets.get(1) + IMAGE_NAME_LENGTH, (short) (bytes.length + 2 & 0xFFFE));
            }
            SpiParse parse = SpiParser.parse(bytes, BASE);
            assertEquals(List.of(1L, 3L), pids(parse), "pointer=0x" + Long.toHexString(pointer));
            assertEquals(1, parse.malformed());
            assertTrue(parse.problem().contains("image name"), parse.problem());
        }
    }

    @Test
    void oddNameLengthIsMalformed() {
        SpiBufferBuilder b = threeRecords();
        byte[] bytes = b.build(BASE);
        putShort(bytes, b.offsets.get(1) + IMAGE_NAME_LENGTH, (short) 5);
        assertEquals(List.of(1L, 3L), pids(SpiParser.parse(bytes, BASE)));
    }

    @Test
    void missingNameOnlyAllowedForPidZero() {
        SpiBufferBuilder b = threeRecords();
        byte[] bytes = b.build(BASE);
        putLong(bytes, b.offsets.get(1) + IMAGE_NAME_BUFFER, 0);
        SpiParse parse = SpiParser.parse(bytes, BASE);
        assertEquals(List.of(1L, 3L), pids(parse));
        assertEquals(1, parse.malformed());
    }

    /** An empty name would match no include regex, so the record would disappear uncounted. */
    @Test
    void emptyNameOnlyAllowedForPidZero() {
        SpiBufferBuilder b = threeRecords();
        byte[] bytes = b.build(BASE);
        putShort(bytes, b.offsets.get(1) + IMAGE_NAME_LENGTH, (short) 0);
        SpiParse parse = SpiParser.parse(bytes, BASE);
        assertEquals(List.of(1L, 3L), pids(parse));
        assertEquals(1, parse.malformed());
    }

    @Test
    void truncatedOrEmptyBuffersAreCountedNotThrown() {
        byte[] bytes = threeRecords().build(BASE);
        assertEquals(1, SpiParser.parse(new byte[0], BASE).malformed());
        assertEquals(0, SpiParser.parse(new byte[0], BASE).records().size());
        SpiParse cut = SpiParser.parse(ByteBuffer.wrap(bytes), 100, BASE);
        assertEquals(0, cut.records().size());
        assertEquals(1, cut.malformed());
        // a length larger than the buffer is clamped, not trusted
        assertEquals(3, SpiParser.parse(ByteBuffer.wrap(bytes), Integer.MAX_VALUE, BASE).records().size());
    }

    @Test
    void randomCorruptionNeverThrowsAndAlwaysEnds() {
        SpiBufferBuilder b = new SpiBufferBuilder();
        for (int i = 1; i <= 20; i++) {
            b.add(record(i * 4, "proc" + i + ".exe", i % 4, i), i % 3);
        }
        byte[] clean = b.build(BASE);
        Random random = new Random(4); // fixed seed: a failure is reproducible
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = clean.clone();
            int flips = 1 + random.nextInt(6);
            for (int f = 0; f < flips; f++) {
                int at = b.offsets.get(random.nextInt(b.offsets.size())) + random.nextInt(0x48);
                bytes[at] = (byte) random.nextInt(256);
            }
            SpiParse parse = SpiParser.parse(bytes, BASE);
            assertTrue(parse.records().size() + parse.malformed() <= clean.length / HEADER_SIZE + 1);
            for (SpiRecord r : parse.records()) {
                assertTrue(r.threads() * THREAD_SIZE <= clean.length);
            }
        }
    }

    private static SpiBufferBuilder threeRecords() {
        return new SpiBufferBuilder()
                .add(record(1, "one.exe", 1, 1))
                .add(record(2, "two.exe", 2, 2))
                .add(record(3, "three.exe", 1, 3));
    }

    private static List<Long> pids(SpiParse parse) {
        return parse.records().stream().map(SpiRecord::pid).toList();
    }

    private static void putInt(byte[] bytes, int at, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    }

    private static void putShort(byte[] bytes, int at, short value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(at, value);
    }

    private static void putLong(byte[] bytes, int at, long value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
    }
}
