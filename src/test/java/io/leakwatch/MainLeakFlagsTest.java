package io.leakwatch;

import io.leakwatch.testing.ChildExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leak detection's flags through the real entry point. */
class MainLeakFlagsTest {
    @TempDir
    Path dir;

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[]{Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void badLeakFlagsExitTwoWithOneLine() {
        for (String arg : List.of("--leak.window=90", "--leak.sample-interval=0.1s", "--leak.min-growth=10MiB",
                "--leak.min-handle-growth=x/d")) {
            String[] r = run(arg);
            assertEquals("2", r[0], arg);
            assertEquals(1, r[1].trim().lines().count(), r[1]);
            assertTrue(r[1].startsWith("leakwatch: --leak."), r[1]);
        }
    }

    @Test
    void aStartThatCannotBindLeavesTheSavedHistoryAlone() throws Exception {
        Path state = dir.resolve("leak-state.json");
        String saved = "{\"format\":\"leakwatch-leak-state\",\"version\":1,\"bucket_seconds\":1800.0,\"saved_at\":1,\"processes\":[]}";
        Files.writeString(state, saved);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String[] r = run("--web.listen-address=127.0.0.1:" + taken.getLocalPort(), "--leak.state-file=" + state);
            assertEquals("2", r[0], r[1]);
        }
        assertEquals(saved, Files.readString(state));
    }

    @Test
    void aSecondLeakwatchOnTheSameStateFileExitsTwoWithOneLine() throws Exception {
        Path state = dir.resolve("leak-state.json");
        try (ChildExporter first = ChildExporter.start(List.of(), "--leak.state-file=" + state, "--collector.process.include=java")) {
            String[] r = run("--web.listen-address=127.0.0.1:0", "--leak.state-file=" + state);
            assertEquals("2", r[0], r[1]);
            assertEquals("leakwatch: --leak.state-file " + state + " is in use by another leakwatch (process " + first.pid()
                    + "): give each instance its own --leak.state-file", r[1].trim());
        }
    }
}
