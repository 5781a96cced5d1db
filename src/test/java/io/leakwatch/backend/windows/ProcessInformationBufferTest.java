package io.leakwatch.backend.windows;

import io.leakwatch.model.ProcessBackend.BackendException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The size negotiation against a fake native layer that fills a real JNA Memory. */
class ProcessInformationBufferTest {

    @Test
    void growsOnLengthMismatchThenParsesNamesAtRealAddresses() throws Exception {
        FakeNtQuery nt = new FakeNtQuery().addProcesses(60, 10); // ~60 * (0x100 + 10 * 0x50) = ~63 KB
        try (ProcessInformationBuffer buffer = new ProcessInformationBuffer(nt, 4096, 6, 1 << 24)) {
            ProcessInformationBuffer.Filled filled = buffer.fill();
            assertEquals(2, buffer.lastAttempts());
            assertEquals(2, nt.calls);
            assertEquals(2, buffer.lastCalls().size());
            ProcessInformationBuffer.Call first = buffer.lastCalls().get(0);
            assertEquals(4096, first.bufferBytes());
            assertEquals(NtStatus.INFO_LENGTH_MISMATCH, first.status());
            assertEquals("buffer=4096 returnLength=" + first.returnLength(), first.toString(), "the debug log's context");
            assertTrue(buffer.capacity() > 60 * (0x100 + 10 * 0x50), "grown to what the call asked for");
            assertTrue(buffer.capacity() >= nt.bufferLengthsSeen.get(0) + 64 * 1024, "with headroom");
            SpiParse parse = SpiParser.parse(filled.bytes(), filled.length(), filled.baseAddress());
            assertEquals(0, parse.malformed(), parse.problem());
            assertEquals(60, parse.records().size());
            assertEquals("proc8.exe", parse.records().get(0).imageName());
        }
    }

    @Test
    void reusesTheBufferAcrossScrapes() throws Exception {
        FakeNtQuery nt = new FakeNtQuery().addProcesses(200, 20);
        try (ProcessInformationBuffer buffer = new ProcessInformationBuffer(nt, 4096, 6, 1 << 24)) {
            long base = buffer.fill().baseAddress();
            long capacity = buffer.capacity();
            for (int scrape = 0; scrape < 5; scrape++) {
                ProcessInformationBuffer.Filled filled = buffer.fill();
                assertEquals(1, buffer.lastAttempts(), "no new negotiation once the buffer fits");
                assertEquals(base, filled.baseAddress(), "same native allocation");
                assertEquals(capacity, buffer.capacity());
            }
        }
    }

    @Test
    void keepsUpWithProcessesStartingBetweenCalls() throws Exception {
        FakeNtQuery nt = new FakeNtQuery().addProcesses(100, 5);
        nt.processesStartingPerMismatch = 30; // each answer is out of date by the next call
        try (ProcessInformationBuffer buffer = new ProcessInformationBuffer(nt, 4096, 6, 1 << 24)) {
            ProcessInformationBuffer.Filled filled = buffer.fill();
            SpiParse parse = SpiParser.parse(filled.bytes(), filled.length(), filled.baseAddress());
            assertEquals(0, parse.malformed());
            assertEquals(nt.processes.size(), parse.records().size());
            assertTrue(parse.records().size() > 100);
            assertTrue(buffer.lastAttempts() <= 3, "headroom absorbs the growth: " + buffer.lastAttempts());
        }
    }

    @Test
    void givesUpAfterBoundedAttempts() {
        FakeNtQuery nt = new FakeNtQuery();
        for (int i = 0; i < 10; i++) {
            nt.scriptedStatuses.add(NtStatus.INFO_LENGTH_MISMATCH); // returnLength stays 0: never settles
        }
        try (ProcessInformationBuffer buffer = new ProcessInformationBuffer(nt, 4096, 4, 1 << 24)) {
            BackendException e = assertThrows(BackendException.class, buffer::fill);
            assertTrue(e.getMessage().contains("after 4 attempts"), e.getMessage());
            assertEquals(4, nt.calls);
        }
    }

    @Test
    void refusesToGrowBeyondTheLimit() {
        FakeNtQuery nt = new FakeNtQuery().addProcesses(300, 50); // ~1.2 MB
        try (ProcessInformationBuffer buffer = new ProcessInformationBuffer(nt, 4096, 6, 512 * 1024)) {
            BackendException e = assertThrows(BackendException.class, buffer::fill);
            assertTrue(e.getMessage().contains("limit"), e.getMessage());
            assertTrue(buffer.capacity() <= 512 * 1024);
        }
    }

    @Test
    void otherStatusFailsThisScrapeOnlyAndNamesTheStatus() throws Exception {
        FakeNtQuery nt = new FakeNtQuery().addProcesses(3, 1);
        nt.scriptedStatuses.add(0xC0000022); // STATUS_ACCESS_DENIED
        try (ProcessInformationBuffer buffer = new ProcessInformationBuffer(nt)) {
            BackendException e = assertThrows(BackendException.class, buffer::fill);
            assertTrue(e.getMessage().contains("0xC0000022"), e.getMessage());
            assertEquals(1, nt.calls, "no retry on a real failure");
            ProcessInformationBuffer.Filled next = buffer.fill();
            assertEquals(3, SpiParser.parse(next.bytes(), next.length(), next.baseAddress()).records().size());
        }
    }

    @Test
    void closeFreesTheNativeBuffer() throws Exception {
        ProcessInformationBuffer buffer = new ProcessInformationBuffer(new FakeNtQuery().addProcesses(1, 1), 4096, 2, 8192);
        buffer.fill();
        buffer.close();
        assertEquals(0, buffer.capacity());
        assertThrows(IllegalStateException.class, buffer::fill);
        buffer.close(); // idempotent
    }
}
