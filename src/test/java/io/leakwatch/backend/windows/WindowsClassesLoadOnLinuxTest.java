package io.leakwatch.backend.windows;

import io.leakwatch.Settings;
import io.leakwatch.backend.Backends;
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
        List<String> names = List.of("WindowsApi", "WindowsApi$Ntdll", "WindowsApi$Kernel32Extra", "WindowsApi$Kernel32Calls",
                "WindowsApi$Advapi32Calls", "JnaProcessDetailsReader", "WindowsProcessBackend", "ProcessInformationBuffer",
                "SpiParser", "AccountNames", "DebugPrivilege", "NativeTrace");
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

    /**
     * Native.getLastError is JNA's copy saved right after the call; Kernel32.GetLastError() later may be reset.
     * Comments and string literals may name it (they explain why it is not called); code may not.
     */
    @Test
    void noCodeAsksKernel32GetLastError() throws Exception {
        java.util.regex.Pattern call = java.util.regex.Pattern.compile("\\bGetLastError\\b");
        try (var files = java.nio.file.Files.walk(java.nio.file.Path.of("src", "main", "java"))) {
            for (var file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String code = codeOnly(java.nio.file.Files.readString(file));
                var m = call.matcher(code);
                boolean found = m.find();
                assertFalse(found, () -> file + " reads Kernel32.GetLastError(): " + lineAround(code, m.start()));
            }
        }
    }

    @Test
    void codeOnlyDropsCommentsAndLiteralsButKeepsCode() {
        assertEquals("int e = k.GetLastError(); ", codeOnly("int e = k.GetLastError(); // not GetLastError()"));
        assertEquals("a();  b();", codeOnly("a(); /* k.GetLastError() */ b();"));
        assertEquals("s(\"\", '', \"\"\"\"\"\", \"\");",
                codeOnly("s(\"x.GetLastError() // \\\" /*\", '\\'', \"\"\"\n GetLastError()\n\"\"\", \"*/\");"));
        assertEquals("t(\"\"\"\"\"\"); GetLastError();", codeOnly("t(\"\"\"\n \\\"\"\" \\\\\"\"\"); GetLastError();"));
        assertEquals("x.GetLastError()", codeOnly("x.GetLastError()"));
    }

    private static String lineAround(String text, int index) {
        int end = text.indexOf('\n', index);
        return text.substring(text.lastIndexOf('\n', index) + 1, end < 0 ? text.length() : end).strip();
    }

    /** Java source with comments removed and the contents of string, text block and char literals emptied. */
    static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (source.startsWith("\"\"\"", i)) {
                int j = i + 3;
                while (j < n && !source.startsWith("\"\"\"", j)) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                out.append("\"\"\"\"\"\"");
                i = j + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && source.charAt(j) != c) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                out.append(c).append(c);
                i = j + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** A JNA whose native library cannot load (jna.nounpack, nothing on jna.boot.library.path) is one line, not a trace. */
    @Test
    void aJnaThatCannotLoadIsOneLine() throws Exception {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            return;
        }
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
    void linuxStillGetsTheProcfsBackend() throws Exception {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return;
        }
        try (ProcessBackend backend = Backends.forThisMachine(Settings.load(Map.of()).process())) {
            assertEquals("linux-procfs", backend.name());
        }
    }
}
