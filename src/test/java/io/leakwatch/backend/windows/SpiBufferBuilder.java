package io.leakwatch.backend.windows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;


/**
 * Writes SYSTEM_PROCESS_INFORMATION chains the way the kernel lays them out: header, thread array,
 * then the UTF-16 image name, with ImageName.Buffer an absolute address (base + offset).
 * {@code gap} adds bytes after each record so the next one starts unaligned.
 * Offsets are written as literals from compat.md's table, not taken from {@link SpiLayout},
 * so a wrong constant there fails the parser tests instead of agreeing with itself.
 */
final class SpiBufferBuilder {
    private final List<SpiRecord> records = new ArrayList<>();
    private final List<Integer> gaps = new ArrayList<>();

    SpiBufferBuilder add(SpiRecord record) {
        return add(record, 0);
    }

    SpiBufferBuilder add(SpiRecord record, int gapAfter) {
        records.add(record);
        gaps.add(gapAfter);
        return this;
    }

    /** Offsets of each record in the last {@link #build(long)}. */
    final List<Integer> offsets = new ArrayList<>();

    byte[] build(long baseAddress) {
        offsets.clear();
        int size = 0;
        for (int i = 0; i < records.size(); i++) {
            size += recordSize(records.get(i)) + gaps.get(i);
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        for (int i = 0; i < records.size(); i++) {
            SpiRecord r = records.get(i);
            offsets.add(at);
            int span = recordSize(r) + gaps.get(i);
            boolean last = i == records.size() - 1;
            write(out, at, r, last ? 0 : span, baseAddress);
            at += span;
        }
        return out.array();
    }

    static int recordSize(SpiRecord r) {
        int name = r.imageName() == null ? 0 : r.imageName().length() * 2 + 2; // NUL-terminated like Windows
        return 0x100 + (int) r.threads() * 0x50 + name;
    }

    private static void write(ByteBuffer out, int at, SpiRecord r, int next, long base) {
        out.putInt(at + 0x00, next);
        out.putInt(at + 0x04, (int) r.threads());
        out.putLong(at + 0x08, r.workingSetPrivateSize());
        out.putLong(at + 0x20, r.createTime());
        out.putLong(at + 0x28, r.userTime());
        out.putLong(at + 0x30, r.kernelTime());
        out.putInt(at + 0x48, r.basePriority());
        out.putLong(at + 0x50, r.pid());
        out.putLong(at + 0x58, r.parentPid());
        out.putInt(at + 0x60, (int) r.handleCount());
        out.putInt(at + 0x64, (int) r.sessionId());
        out.putLong(at + 0x70, r.virtualSize() + 4096); // PeakVirtualSize: not a metric, must not be read as one
        out.putLong(at + 0x78, r.virtualSize());
        out.putInt(at + 0x80, (int) r.pageFaultCount());
        out.putLong(at + 0x88, r.peakWorkingSetSize());
        out.putLong(at + 0x90, r.workingSetSize());
        out.putLong(at + 0x98, r.quotaPagedPoolUsage() + 1); // peak paged pool
        out.putLong(at + 0xA0, r.quotaPagedPoolUsage());
        out.putLong(at + 0xA8, r.quotaNonPagedPoolUsage() + 1); // peak nonpaged pool
        out.putLong(at + 0xB0, r.quotaNonPagedPoolUsage());
        out.putLong(at + 0xB8, r.pagefileUsage());
        out.putLong(at + 0xC0, r.pagefileUsage() + 1); // peak pagefile
        out.putLong(at + 0xC8, r.privatePageCount());
        out.putLong(at + 0xD0, r.readOperationCount());
        out.putLong(at + 0xD8, r.writeOperationCount());
        out.putLong(at + 0xE0, r.otherOperationCount());
        out.putLong(at + 0xE8, r.readTransferCount());
        out.putLong(at + 0xF0, r.writeTransferCount());
        out.putLong(at + 0xF8, r.otherTransferCount());
        for (int t = 0; t < r.threads(); t++) {
            int thread = at + 0x100 + t * 0x50;
            out.putLong(thread, 0x1111_0000L + t); // kernel time: garbage a parser must not mistake for a record
            out.putLong(thread + 8, 0x2222_0000L + t);
        }
        if (r.imageName() != null) {
            int name = at + 0x100 + (int) r.threads() * 0x50;
            byte[] utf16 = r.imageName().getBytes(StandardCharsets.UTF_16LE);
            out.put(name, utf16);
            out.putShort(at + 0x38, (short) utf16.length);
            out.putShort(at + 0x38 + 2, (short) (utf16.length + 2));
            out.putLong(at + 0x40, base + name);
        }
    }

    /** A record whose every field differs, derived from {@code seed}. */
    static SpiRecord record(long pid, String imageName, int threads, long seed) {
        return new SpiRecord(pid, pid + 1000 + seed, imageName, threads,
                seed * 4096 + 1, // working set private
                133_000_000_000_000_000L + seed * 10_000_000L, // CreateTime (2022)
                seed * 1_000_000 + 3, // user
                seed * 2_000_000 + 5, // kernel
                8 + (int) (seed % 5), // base priority
                100 + seed, // handles
                seed % 3, // session
                (1L << 40) + seed, // virtual size beyond 4 GiB (windows_exporter #955)
                70_000 + seed, // page faults
                (5L << 32) + seed, // peak working set
                (4L << 32) + seed, // working set
                20_000 + seed, // paged pool
                30_000 + seed, // nonpaged pool
                40_000 + seed, // pagefile
                (6L << 32) + seed, // private page count
                11 + seed, 12 + seed, 13 + seed, // io operations
                21 + seed, 22 + seed, 23 + seed); // io bytes
    }

    static SpiRecord withName(SpiRecord r, String name) {
        return new SpiRecord(r.pid(), r.parentPid(), name, r.threads(), r.workingSetPrivateSize(), r.createTime(),
                r.userTime(), r.kernelTime(), r.basePriority(), r.handleCount(), r.sessionId(), r.virtualSize(),
                r.pageFaultCount(), r.peakWorkingSetSize(), r.workingSetSize(), r.quotaPagedPoolUsage(),
                r.quotaNonPagedPoolUsage(), r.pagefileUsage(), r.privatePageCount(), r.readOperationCount(),
                r.writeOperationCount(), r.otherOperationCount(), r.readTransferCount(), r.writeTransferCount(),
                r.otherTransferCount());
    }
}
