package io.leakwatch.backend.windows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.leakwatch.backend.windows.SpiLayout.*;

/**
 * Walks a SYSTEM_PROCESS_INFORMATION chain. Pure Java over a little-endian byte view, so the same
 * code reads a JNA {@code Memory} (through {@code getByteBuffer}) on Windows and a byte array in tests.
 *
 * <p>Nothing in the buffer is trusted: every offset is checked against {@code length}, a name
 * pointer must land inside {@code [baseAddress, baseAddress + length)}, and the walk only moves
 * forward by at least one header, so it ends after at most {@code length / 0x100} records.
 * A record that fails a check is skipped (thread array too big, name outside the buffer, no name
 * on a PID other than 0); a broken
 * chain (NextEntryOffset pointing backwards, into the header, or past the end) ends the walk.
 * Both are counted, never thrown. Records need not be aligned: reads are absolute byte reads.
 */
public final class SpiParser {
    private SpiParser() {
    }

    /** @param baseAddress the address the buffer had when the OS filled it (name pointers are absolute) */
    public static SpiParse parse(byte[] bytes, long baseAddress) {
        return parse(ByteBuffer.wrap(bytes), bytes.length, baseAddress);
    }

    /**
     * @param buffer      bytes starting at the buffer's base; its byte order is ignored (always little-endian)
     * @param length      bytes the OS reported as written; clamped to the buffer's capacity
     * @param baseAddress the address of byte 0 when the OS filled it
     */
    public static SpiParse parse(ByteBuffer buffer, int length, long baseAddress) {
        ByteBuffer in = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long limit = Math.min(Math.max(length, 0), in.capacity());
        List<SpiRecord> records = new ArrayList<>();
        int malformed = 0;
        String problem = "";
        long offset = 0;
        while (true) {
            if (offset + HEADER_SIZE > limit) {
                malformed++;
                problem = first(problem, "record at offset " + offset + " runs past the end of the " + limit + "-byte buffer");
                break;
            }
            int at = (int) offset;
            long next = Integer.toUnsignedLong(in.getInt(at + NEXT_ENTRY_OFFSET));
            long threads = Integer.toUnsignedLong(in.getInt(at + NUMBER_OF_THREADS));
            if (next != 0 && (next < HEADER_SIZE || offset + next + HEADER_SIZE > limit)) {
                malformed++;
                problem = first(problem, "record at offset " + offset + " has NextEntryOffset " + next
                        + " outside the buffer (" + limit + " bytes)");
                break;
            }
            long recordEnd = next == 0 ? limit : offset + next;
            String failure = null;
            if (offset + HEADER_SIZE + threads * THREAD_SIZE > recordEnd) {
                failure = "record at offset " + offset + " claims " + threads + " threads, more than fit in it";
            }
            String imageName = null;
            if (failure == null) {
                int nameLength = Short.toUnsignedInt(in.getShort(at + IMAGE_NAME_LENGTH));
                long namePointer = in.getLong(at + IMAGE_NAME_BUFFER);
                long pid = in.getLong(at + UNIQUE_PROCESS_ID);
                if (namePointer == 0 || nameLength == 0) {
                    // an empty name would match no include regex: the record would vanish uncounted
                    if (pid != 0) {
                        failure = "record at offset " + offset + " (pid " + pid + ") has no image name; only PID 0 may";
                    }
                } else {
                    long relative = namePointer - baseAddress;
                    if (Long.compareUnsigned(namePointer, baseAddress) < 0 || relative + nameLength > limit
                            || relative < 0 || (nameLength & 1) != 0) {
                        failure = "record at offset " + offset + " has an image name (pointer 0x"
                                + Long.toHexString(namePointer) + ", " + nameLength + " bytes) outside the buffer";
                    } else {
                        byte[] utf16 = new byte[nameLength];
                        in.get((int) relative, utf16, 0, nameLength);
                        imageName = new String(utf16, StandardCharsets.UTF_16LE);
                    }
                }
            }
            if (failure == null) {
                records.add(read(in, at, imageName, threads));
            } else {
                malformed++;
                problem = first(problem, failure);
            }
            if (next == 0) {
                break;
            }
            offset += next;
        }
        return new SpiParse(records, malformed, problem);
    }

    private static SpiRecord read(ByteBuffer in, int at, String imageName, long threads) {
        return new SpiRecord(
                in.getLong(at + UNIQUE_PROCESS_ID),
                in.getLong(at + INHERITED_FROM_UNIQUE_PROCESS_ID),
                imageName,
                threads,
                in.getLong(at + WORKING_SET_PRIVATE_SIZE),
                in.getLong(at + CREATE_TIME),
                in.getLong(at + USER_TIME),
                in.getLong(at + KERNEL_TIME),
                in.getInt(at + BASE_PRIORITY),
                Integer.toUnsignedLong(in.getInt(at + HANDLE_COUNT)),
                Integer.toUnsignedLong(in.getInt(at + SESSION_ID)),
                in.getLong(at + VIRTUAL_SIZE),
                Integer.toUnsignedLong(in.getInt(at + PAGE_FAULT_COUNT)),
                in.getLong(at + PEAK_WORKING_SET_SIZE),
                in.getLong(at + WORKING_SET_SIZE),
                in.getLong(at + QUOTA_PAGED_POOL_USAGE),
                in.getLong(at + QUOTA_NON_PAGED_POOL_USAGE),
                in.getLong(at + PAGEFILE_USAGE),
                in.getLong(at + PRIVATE_PAGE_COUNT),
                in.getLong(at + READ_OPERATION_COUNT),
                in.getLong(at + WRITE_OPERATION_COUNT),
                in.getLong(at + OTHER_OPERATION_COUNT),
                in.getLong(at + READ_TRANSFER_COUNT),
                in.getLong(at + WRITE_TRANSFER_COUNT),
                in.getLong(at + OTHER_TRANSFER_COUNT));
    }

    private static String first(String existing, String candidate) {
        return existing.isEmpty() ? candidate : existing;
    }
}
