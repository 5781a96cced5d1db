package io.leakwatch.backend.windows;

import io.leakwatch.Settings;
import io.leakwatch.backend.Backends;
import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The Windows-only classes are in the Linux jar: they must load (not link) here, and Linux must not pick them. */
class WindowsClassesLoadOnLinuxTest {

    @Test
    void everyWindowsClassLoadsAndInitializesOnThisOs() throws Exception {
        List<String> names = List.of("WindowsApi", "WindowsApi$Ntdll", "WindowsApi$Kernel32Extra", "WindowsApi$Kernel32Calls",
                "WindowsApi$Advapi32Calls", "JnaProcessDetailsReader", "WindowsProcessBackend", "ProcessInformationBuffer",
                "SpiParser", "AccountNames", "DebugPrivilege", "NativeTrace");
        for (String name : names) {
            Class<?> type = Class.forName("io.leakwatch.backend.windows." + name, true, getClass().getClassLoader());
            assertNotNull(type);
        }
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void openingTheRealApiOffWindowsIsAOneLineError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WindowsProcessBackend.open(ProcessFilter.all(), true, false));
        assertTrue(e.getMessage().startsWith("cannot load ntdll"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    /**
     * Native.getLastError is JNA's copy saved right after the call; Kernel32.GetLastError() later may be reset.
     * Comments may name it (they explain why it is not called); a call may not.
     */
    @Test
    void noCodeAsksKernel32GetLastError() throws Exception {
        java.util.regex.Pattern call = java.util.regex.Pattern.compile("\\bGetLastError\\s*\\(");
        try (var files = java.nio.file.Files.walk(java.nio.file.Path.of("src", "main", "java"))) {
            for (var file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                for (String line : java.nio.file.Files.readAllLines(file)) {
                    String code = line.strip();
                    if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                        continue;
                    }
                    int comment = code.indexOf("//");
                    String beforeComment = comment < 0 ? code : code.substring(0, comment);
                    assertFalse(call.matcher(beforeComment).find(), file + " reads Kernel32.GetLastError(): " + code);
                }
            }
        }
    }

    /** A JNA whose native library cannot load (jna.nounpack, nothing on jna.boot.library.path) is one line, not a trace. */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void aJnaThatCannotLoadIsOneLine() throws Exception {
        Process child = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djna.nounpack=true", "-Djna.nosys=true", "-Djna.boot.library.path=/nonexistent",
                "-cp", System.getProperty("java.class.path"), OpenBackend.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("IllegalArgumentException", output.lines().findFirst().orElse(""), output);
        assertTrue(output.lines().skip(1).findFirst().orElse("").startsWith("cannot load ntdll/kernel32/advapi32 through JNA"), output);
        assertEquals(2, output.lines().count(), output);
    }

    /** Child-process entry: opens the real backend and prints what it threw. */
    public static final class OpenBackend {
        public static void main(String[] args) {
            try {
                WindowsProcessBackend.open(io.leakwatch.model.ProcessFilter.all(), true, false).close();
                System.out.println("opened");
            } catch (Throwable e) {
                System.out.println(e.getClass().getSimpleName());
                System.out.println(e.getMessage());
            }
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void linuxStillGetsTheProcfsBackend() throws Exception {
        try (ProcessBackend backend = Backends.forThisMachine(Settings.load(Map.of()).process())) {
            assertEquals("linux-procfs", backend.name());
        }
    }
}
