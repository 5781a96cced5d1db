package io.leakwatch;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** --process.priority in this JVM (a real change is made in a child: see the compatibility suite). */
class OwnLimitsTest {
    @Test
    void normalPriorityChangesNothing() {
        assertEquals(Optional.empty(), OwnPriority.apply("normal"));
    }
}
