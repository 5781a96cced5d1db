package io.leakwatch.backend.windows;

import io.leakwatch.backend.Backends;
import io.leakwatch.config.Settings;
import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessFilter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The Windows-only classes are in the Linux jar: they must load (not link) here, and Linux must not pick them. */
class WindowsClassesLoadOnLinuxTest {

    @Test
    void everyWindowsClassLoadsAndInitializesOnThisOs() throws Exception {
        List<String> names = List.of("WindowsApi", "WindowsApi$Ntdll", "WindowsApi$Kernel32", "WindowsApi$Advapi32",
                "JnaProcessDetailsReader", "WindowsProcessBackend", "ProcessInformationBuffer", "SpiParser");
        for (String name : names) {
            Class<?> type = Class.forName("io.leakwatch.backend.windows." + name, true, getClass().getClassLoader());
            assertNotNull(type);
        }
    }

    @Test
    void openingTheRealApiOffWindowsIsAOneLineError() {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            return; // this test is about other systems
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WindowsProcessBackend.open(ProcessFilter.all(), true, false));
        assertTrue(e.getMessage().startsWith("cannot load ntdll"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void linuxStillGetsTheProcfsBackend() throws Exception {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return;
        }
        try (ProcessBackend backend = Backends.forThisMachine(Settings.load(Map.of()).process())) {
            assertEquals("linux-procfs", backend.name());
        }
    }
}
