package io.leakwatch.backend.windows;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.leakwatch.model.ProcessBackend.BackendException;

import java.nio.ByteBuffer;

/**
 * The native buffer NtQuerySystemInformation fills, kept across scrapes. When it is too small the
 * call answers STATUS_INFO_LENGTH_MISMATCH with the size it needs at that instant; processes start
 * between two calls, so the buffer grows to that size plus headroom and the call is retried, a
 * bounded number of times. Any other failure fails this scrape only; the next one tries again.
 */
public final class ProcessInformationBuffer implements AutoCloseable {
    /** ~650 processes of 15 threads fit (0x100 + 15 * 0x50 bytes + name each); bigger machines grow it once. */
    public static final int DEFAULT_INITIAL_BYTES = 1 << 20;
    public static final int DEFAULT_MAX_ATTEMPTS = 6;
    /** Refuse to chase a size beyond this: a kernel asking for more is not telling the truth. */
    public static final int DEFAULT_MAX_BYTES = 256 << 20;
    private static final int MIN_HEADROOM_BYTES = 64 * 1024;

    private final SystemInformationCall call;
    private final NativeTrace trace;
    private final java.util.List<Call> lastCalls = new java.util.ArrayList<>();
    private final int maxAttempts;
    private final int maxBytes;
    private final Memory returnLength = new Memory(4);
    private Memory buffer;

    /** One NtQuerySystemInformation call of the last fill: what we offered and what it answered. */
    public record Call(int bufferBytes, int status, long returnLength) {
        /** The call's context in the debug log: formatted only when that line is written. */
        @Override
        public String toString() {
            return "buffer=" + bufferBytes + " returnLength=" + returnLength;
        }
    }

    /** A filled buffer: valid until the next {@link #fill()} or {@link #close()}. */
    public record Filled(ByteBuffer bytes, int length, long baseAddress) {
    }

    public ProcessInformationBuffer(SystemInformationCall call) {
        this(call, new NativeTrace());
    }

    public ProcessInformationBuffer(SystemInformationCall call, NativeTrace trace) {
        this(call, trace, DEFAULT_INITIAL_BYTES, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_BYTES);
    }

    public ProcessInformationBuffer(SystemInformationCall call, int initialBytes, int maxAttempts, int maxBytes) {
        this(call, new NativeTrace(), initialBytes, maxAttempts, maxBytes);
    }

    public ProcessInformationBuffer(SystemInformationCall call, NativeTrace trace, int initialBytes, int maxAttempts,
                                    int maxBytes) {
        if (initialBytes <= 0 || maxAttempts <= 0 || maxBytes < initialBytes) {
            throw new IllegalArgumentException("need 0 < initialBytes <= maxBytes and maxAttempts > 0");
        }
        this.call = call;
        this.trace = trace;
        this.maxAttempts = maxAttempts;
        this.maxBytes = maxBytes;
        this.buffer = new Memory(initialBytes);
    }

    /** @throws BackendException when the call fails or the size never settles within the attempts */
    public Filled fill() throws BackendException {
        if (buffer == null) {
            throw new IllegalStateException("buffer closed");
        }
        lastCalls.clear();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            int capacity = (int) buffer.size();
            returnLength.setInt(0, 0);
            int status = call.querySystemProcessInformation(buffer, capacity, returnLength);
            long reported = Integer.toUnsignedLong(returnLength.getInt(0));
            Call made = new Call(capacity, status, reported);
            lastCalls.add(made);
            trace.ntstatus("NtQuerySystemInformation(SystemProcessInformation)", status, made);
            if (status == NtStatus.INFO_LENGTH_MISMATCH || status == NtStatus.BUFFER_TOO_SMALL) {
                grow(reported);
                continue;
            }
            if (!NtStatus.isSuccess(status) || status == NtStatus.BUFFER_OVERFLOW) {
                throw new BackendException("NtQuerySystemInformation(SystemProcessInformation) failed with NTSTATUS "
                        + NtStatus.hex(status));
            }
            // The parser reads only what the call says it wrote, and never past our own allocation.
            int length = reported == 0 || reported > capacity ? capacity : (int) reported;
            return new Filled(buffer.getByteBuffer(0, capacity), length, Pointer.nativeValue(buffer));
        }
        throw new BackendException("NtQuerySystemInformation(SystemProcessInformation): buffer still too small after "
                + maxAttempts + " attempts (now " + buffer.size() + " bytes)");
    }

    private void grow(long needed) throws BackendException {
        long current = buffer.size();
        long base = Math.max(needed, current);
        long target = base + Math.max(base / 8, MIN_HEADROOM_BYTES);
        if (needed > maxBytes) {
            throw new BackendException("NtQuerySystemInformation(SystemProcessInformation) asks for " + needed
                    + " bytes, more than the " + maxBytes + "-byte limit");
        }
        target = Math.min(target, maxBytes);
        if (target <= current) {
            throw new BackendException("NtQuerySystemInformation(SystemProcessInformation): buffer at its "
                    + maxBytes + "-byte limit and still too small");
        }
        Memory bigger = new Memory(target);
        buffer.close();
        buffer = bigger;
    }

    /** Current allocation in bytes (0 after close). */
    public long capacity() {
        return buffer == null ? 0 : buffer.size();
    }

    /** The calls of the last {@link #fill()}, in order. */
    public java.util.List<Call> lastCalls() {
        return java.util.List.copyOf(lastCalls);
    }

    /** Calls the last {@link #fill()} needed. */
    public int lastAttempts() {
        return lastCalls.size();
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
        returnLength.close();
    }
}
