package io.leakwatch;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassArchiveTest {
    @Test
    void aPassedArchiveThatTheJvmDoesNotShareFromIsNamedInTheLog() {
        String notice = ClassArchive.unusedNotice("/opt/leakwatch/lib/leakwatch.jsa", "mixed mode").orElseThrow();
        assertTrue(notice.contains("/opt/leakwatch/lib/leakwatch.jsa"), notice);
        assertTrue(notice.contains("mvn package") && notice.contains("delete it"), "says what to do: " + notice);
    }

    @Test
    void nothingToSayWhenTheArchiveIsInUseOrNoneWasPassed() {
        assertEquals(Optional.empty(), ClassArchive.unusedNotice("/opt/leakwatch/lib/leakwatch.jsa", "mixed mode, sharing"));
        assertEquals(Optional.empty(), ClassArchive.unusedNotice(null, "mixed mode"));
        assertEquals(Optional.empty(), ClassArchive.unusedNotice("", "interpreted mode"));
    }
}
