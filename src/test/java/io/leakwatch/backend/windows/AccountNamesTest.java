package io.leakwatch.backend.windows;

import io.leakwatch.testing.Await;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Owner lookups may hang on a domain controller; a scrape of many new processes must not wait for each. */
class AccountNamesTest {
    private static byte[] sid(int n) {
        return new byte[]{1, 1, 0, 0, 0, 0, 0, 5, (byte) n, 0, 0, 0};
    }

    @Test
    void aLocalAccountIsNamedOnTheFirstAsk() {
        try (AccountNames names = AccountNames.standard(sid -> new AccountNames.Result("user" + sid[8], 0))) {
            assertEquals("user7", names.label("S-1-5-7", sid(7)));
        }
    }

    @Test
    void behindAHungLookupOnlyTheFirstAskWaits() throws Exception {
        CountDownLatch domainControllerAnswers = new CountDownLatch(1);
        AtomicInteger lookups = new AtomicInteger();
        try (AccountNames names = AccountNames.standard(sid -> {
            lookups.incrementAndGet();
            try {
                domainControllerAnswers.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new AccountNames.Result("user" + sid[8], 0);
        })) {
            long start = System.nanoTime();
            for (int process = 0; process < 100; process++) { // 100 new processes of 20 domain accounts
                assertNull(names.label("S-1-5-" + process % 20, sid(process % 20)));
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // waiting 50 ms for every ask would take 5 s; only the first ask, which found no lookup ahead of it, waits
            assertTrue(millis < 1_000, "100 asks behind a hung lookup took " + millis + " ms");

            domainControllerAnswers.countDown();
            Await.until("the queued lookups", () -> names.known("S-1-5-19") != null);
            assertEquals("user19", names.known("S-1-5-19"), "every queued lookup still runs");
            assertEquals(20, lookups.get(), "one lookup per account, however many processes asked");
        }
    }
}
