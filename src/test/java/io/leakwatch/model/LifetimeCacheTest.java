package io.leakwatch.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class LifetimeCacheTest {
    @Test
    void aLifetimeIsFoundByKeyAndStartAndAReusedKeyIsANewLifetime() {
        LifetimeCache<Long, String> cache = new LifetimeCache<>();
        cache.put(7L, 100, "first");
        assertEquals("first", cache.get(7L, 100));
        assertNull(cache.get(7L, 101), "same pid, other start: another process");
        assertEquals("first", cache.peek(7L), "peek ignores the start");
        cache.put(7L, 101, "second");
        assertEquals("second", cache.get(7L, 101));
        assertNull(cache.get(7L, 100));
        assertEquals(1, cache.size());
    }

    @Test
    void sweepForgetsWhatTheRoundDidNotSee() {
        LifetimeCache<Long, String> cache = new LifetimeCache<>();
        cache.put(1L, 1, "a");
        cache.put(2L, 2, "b");
        cache.sweep();
        cache.get(1L, 1); // only a is seen in the second round
        cache.peek(2L); // peeking does not count as seeing
        cache.sweep();
        assertEquals("a", cache.get(1L, 1));
        assertNull(cache.peek(2L));
        assertEquals(1, cache.size());
    }

    @Test
    void graceKeepsUnseenLifetimesForThatManyRoundsAndReportsEachForgottenOnce() {
        LifetimeCache<Long, String> cache = new LifetimeCache<>();
        cache.put(1L, 1, "a");
        cache.put(2L, 2, "b");
        cache.sweep(2, v -> { });
        List<String> forgotten = new ArrayList<>();
        Map<String, Integer> unseen = new HashMap<>();
        for (int round = 0; round < 4; round++) {
            cache.get(1L, 1);
            cache.sweep(2, forgotten::add);
            if (round == 1) {
                cache.forEach(unseen::put);
            }
        }
        assertEquals(List.of("b"), forgotten, "b unseen for a third round in a row");
        assertEquals(Map.of("a", 0, "b", 2), unseen);
        assertSame(null, cache.peek(2L));
    }
}
