package io.leakwatch.backend.windows;

import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.leakwatch.backend.windows.SpiBufferBuilder.record;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Owner, command line and process group are read once per process lifetime; a read that failed or
 * came back partial (a process still being set up, a transient error) is tried again on later
 * scrapes, a bounded number of times, through the real reader on the fake native layer.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WindowsDetailsRetryTest {
    static final String SYSTEM = "S-1-5-18";
    private final FakeNtQuery nt = new FakeNtQuery();
    private final FakeWindowsApi fake = new FakeWindowsApi();
    private final NativeTrace trace = new NativeTrace();
    private final AtomicLong clock = new AtomicLong(5_000_000);
    private final WindowsProcessBackend backend = new WindowsProcessBackend(new ProcessInformationBuffer(nt, 4096, 6, 1 << 24),
            new JnaProcessDetailsReader(fake.api, trace, new AccountNames(new JnaProcessDetailsReader.AccountLookup(fake.api, trace),
                    clock::get, 5_000, 24 * 3600_000L, 60_000, 16)),
            ProcessFilter.all(), true, false, clock::get);

    WindowsDetailsRetryTest() {
        fake.account(SYSTEM, "SYSTEM", "NT AUTHORITY");
    }

    @AfterEach
    void close() {
        backend.close();
        assertEquals(Map.of(), fake.openHandles, "every handle closed");
    }

    private FakeWindowsApi.Process process(long pid, String image) {
        SpiRecord r = record(pid, image, 2, 1);
        nt.processes.add(r);
        return fake.add(pid, r.createTime(), SYSTEM);
    }

    private Map<Long, ProcessInfo> scrape() throws Exception {
        return backend.collect().processes().stream().map(s -> s.info())
                .collect(Collectors.toMap(ProcessInfo::pid, Function.identity()));
    }

    private int opens() {
        return fake.calls.getOrDefault("OpenProcess", 0);
    }

    /** A process whose parameters block could not be read yet gets its command line and group on a later scrape. */
    @Test
    void aPartialFirstReadIsCompletedLater() throws Exception {
        FakeWindowsApi.Process young = process(700, "young.exe");
        young.commandLine = "young.exe --serve";
        young.processGroupId = 700;
        young.failParameterReads = 1;
        ProcessInfo first = scrape().get(700L);
        assertEquals("", first.cmdline());
        assertEquals(0, first.processGroupId());
        assertEquals("SYSTEM\\NT AUTHORITY", first.owner(), "what was read is shown at once");

        clock.addAndGet(1_000);
        assertEquals("", scrape().get(700L).cmdline(), "not again on the very next scrape");
        clock.addAndGet(WindowsProcessBackend.RETRY_DELAYS_MILLIS.get(0));
        ProcessInfo later = scrape().get(700L);
        assertEquals("young.exe --serve", later.cmdline());
        assertEquals(700, later.processGroupId());
        assertEquals("SYSTEM\\NT AUTHORITY", later.owner());
        int opens = opens();
        for (int i = 0; i < 5; i++) {
            clock.addAndGet(3_600_000);
            scrape();
        }
        assertEquals(opens, opens(), "complete details are not read again");
    }

    /** An owner whose token could not be read (not: was denied) is read again too. */
    @Test
    void aFailedOwnerIsReadAgain() throws Exception {
        FakeWindowsApi.Process p = process(701, "agent.exe");
        p.failTokenInformation = 1;
        assertEquals("", scrape().get(701L).owner());
        clock.addAndGet(WindowsProcessBackend.RETRY_DELAYS_MILLIS.get(0));
        assertEquals("SYSTEM\\NT AUTHORITY", scrape().get(701L).owner());
    }

    /** A read that keeps failing is tried a bounded number of times, not on every scrape of the process's life. */
    @Test
    void retriesAreBounded() throws Exception {
        FakeWindowsApi.Process p = process(702, "stuck.exe");
        p.failParameterReads = Integer.MAX_VALUE;
        for (int i = 0; i < 200; i++) {
            clock.addAndGet(60_000);
            assertEquals("", scrape().get(702L).cmdline());
        }
        assertEquals(1 + WindowsProcessBackend.RETRY_DELAYS_MILLIS.size(), opens());
    }

    /** What Windows refuses for good (a protected process, a token we may not open) is an answer, not a failure. */
    @Test
    void aDeniedReadIsNotRetried() throws Exception {
        FakeWindowsApi.Process csrss = process(703, "csrss.exe");
        csrss.allowQueryInformation = false;
        csrss.allowVmRead = false;
        csrss.allowToken = false;
        for (int i = 0; i < 20; i++) {
            clock.addAndGet(600_000);
            scrape();
        }
        assertEquals(2, opens(), "QUERY_INFORMATION|VM_READ refused, then QUERY_LIMITED, once");
    }

    /** However many processes failed, one scrape retries only a bounded number of them. */
    @Test
    void oneScrapeRetriesABoundedNumberOfProcesses() throws Exception {
        int count = 3 * WindowsProcessBackend.MAX_RETRIES_PER_SCRAPE;
        for (int i = 0; i < count; i++) {
            process(1000 + 4L * i, "w" + i + ".exe").failParameterReads = Integer.MAX_VALUE;
        }
        scrape();
        assertEquals(count, opens());
        clock.addAndGet(WindowsProcessBackend.RETRY_DELAYS_MILLIS.get(0));
        scrape();
        assertEquals(count + WindowsProcessBackend.MAX_RETRIES_PER_SCRAPE, opens());
    }
}
