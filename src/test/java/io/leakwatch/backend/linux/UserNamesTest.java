package io.leakwatch.backend.linux;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserNamesTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final Map<Long, String> passwd = new HashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();
    private final UserNames names = new UserNames(uid -> {
        lookups.incrementAndGet();
        return passwd.get(uid);
    }, now::get, 600_000, 60_000, 3);

    @Test
    void aNameIsKeptForAWhileThenAskedForAgain() {
        passwd.put(1000L, "alice");
        assertEquals("alice", names.nameOf(1000));
        passwd.put(1000L, "alice2"); // the user was renamed
        now.addAndGet(599_999);
        assertEquals("alice", names.nameOf(1000), "kept: no lookup per new process");
        assertEquals(1, lookups.get());
        now.addAndGet(1);
        assertEquals("alice2", names.nameOf(1000), "asked again once it expired");
    }

    @Test
    void aFailedLookupDoesNotStick() {
        assertEquals("1001", names.nameOf(1001), "an NSS source that is down: the number");
        passwd.put(1001L, "bob"); // it answers again
        now.addAndGet(59_999);
        assertEquals("1001", names.nameOf(1001));
        now.addAndGet(1);
        assertEquals("bob", names.nameOf(1001), "retried after a minute");
    }

    @Test
    void boundedWhateverTheNumberOfUids() {
        for (long uid = 0; uid < 100; uid++) {
            names.nameOf(uid);
            assertTrue(names.size() <= 3, "at most 3 uids kept: " + names.size());
        }
    }

    @Test
    void theRealLookupNamesRoot() {
        UserNames real = new UserNames(LinuxLibC.loadOrNull());
        assertEquals("root", real.nameOf(0));
        assertEquals("4294967295", real.nameOf(4294967295L), "no such user: the number");
        assertEquals("-1", real.nameOf(-1));
    }
}
