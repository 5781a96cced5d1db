package io.leakwatch;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --process.memory-limit and --process.priority checked in this JVM (the priority is set in a child: see the compatibility suite). */
class OwnLimitsTest {
    @Test
    void noMemoryLimitMeansNoWarning() {
        assertEquals(Optional.empty(), OwnMemoryLimit.apply(0));
        assertEquals(Optional.empty(), OwnMemoryLimit.apply(-1));
    }

    @Test
    void aLimitBelowTheHeapSaysWhichJvmFlagToChange() {
        String warning = OwnMemoryLimit.apply(1 << 20).orElseThrow();
        assertTrue(warning.startsWith("--process.memory-limit=1048576: the JVM's heap alone may grow to"), warning);
        assertTrue(warning.contains("-Xmx"), warning);
    }

    @Test
    void aLimitAboveEverythingTheJvmMayUseIsQuiet() {
        OwnMemoryLimit.Ceiling c = OwnMemoryLimit.ceiling();
        Optional<String> w = OwnMemoryLimit.apply(c.total() + (1L << 30));
        if (c.metaspace() < 0) {
            assertTrue(w.orElseThrow().contains("unbounded metaspace"), w.toString());
        } else {
            assertEquals(Optional.empty(), w);
        }
    }

    @Test
    void unknownPrioritiesAreReportedNormalDoesNothing() {
        assertEquals(Optional.empty(), OwnPriority.apply("normal"));
        assertTrue(OwnPriority.apply("High").orElseThrow().contains("is not one of realtime, high"),
                "names are case-sensitive in windows_exporter too");
    }
}
