package io.leakwatch.service;

import io.leakwatch.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The service log is rotated by size, so a restart loop or a chatty client cannot fill the disk. */
class ServiceLogTest {
    @TempDir
    Path dir;

    @Test
    void rotatesAtTheLimitAndKeepsThreeOldFiles() throws Exception {
        Path log = dir.resolve("leakwatch.log");
        try (PrintStream out = new PrintStream(new ServiceLog.Rotating(log, 1000, 3), true, StandardCharsets.UTF_8)) {
            for (int i = 0; i < 500; i++) {
                out.println("line " + i + " " + "x".repeat(40));
            }
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        assertEquals(List.of("leakwatch.log", "leakwatch.log.1", "leakwatch.log.2", "leakwatch.log.3"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        long total = 0;
        for (Path f : files) {
            long size = Files.size(f);
            assertTrue(size < 1000 + 100, f + " is " + size + " bytes");
            total += size;
        }
        assertTrue(total < 4 * 1100);
        assertTrue(Files.readString(log).contains("line 499 "), "the newest lines are in leakwatch.log");
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                assertTrue(line.matches("line \\d+ x{40}"), "a line split across files: '" + line + "'");
            }
        }
    }

    @Test
    void aFullLogIsRotatedAtStartSoARestartLoopCannotGrowIt() throws Exception {
        Path log = dir.resolve("leakwatch.log");
        Files.writeString(log, "y".repeat(2000));
        try (PrintStream out = new PrintStream(new ServiceLog.Rotating(log, 1000, 3), true, StandardCharsets.UTF_8)) {
            out.println("restarted");
        }
        assertEquals("restarted" + System.lineSeparator(), Files.readString(log));
        assertEquals(2000, Files.size(dir.resolve("leakwatch.log.1")));
    }

    @Test
    void aRotationThatFailsKeepsLoggingAndLosesNoOlderFile() throws Exception {
        Path log = dir.resolve("leakwatch.log");
        Files.writeString(dir.resolve("leakwatch.log.1"), "older\n");
        Path blocker = Files.createDirectories(dir.resolve("leakwatch.log.rotating").resolve("in-use"));
        try (PrintStream out = new PrintStream(new ServiceLog.Rotating(log, 100, 3), true, StandardCharsets.UTF_8)) {
            for (int i = 0; i < 10; i++) {
                out.println("line " + i + " " + "x".repeat(40)); // the file cannot be moved aside, so it cannot rotate
            }
            List<String> lines = Files.readAllLines(log);
            assertEquals(10, lines.size(), "every line is still written: " + lines);
            assertEquals("older\n", Files.readString(dir.resolve("leakwatch.log.1")), "no older file moved or lost");
            assertFalse(Files.exists(dir.resolve("leakwatch.log.2")));

            Files.delete(blocker); // the other program lets go: the next line rotates (at its end, so it goes with them)
            out.println("after");
            out.println("newest");
        }
        assertEquals("newest" + System.lineSeparator(), Files.readString(log));
        List<String> rotated = Files.readAllLines(dir.resolve("leakwatch.log.1"));
        assertEquals(11, rotated.size(), rotated.toString());
        assertEquals("after", rotated.get(10));
        assertEquals("older\n", Files.readString(dir.resolve("leakwatch.log.2")));
        assertFalse(Files.exists(dir.resolve("leakwatch.log.rotating")));
    }

    @Test
    void theLimitIsTenMebibytesPerFile() {
        assertEquals(10L << 20, ServiceLog.MAX_BYTES);
        assertEquals(3, ServiceLog.KEPT_FILES);
    }

    @Test
    void theLogIsNextToTheConfigFileOrElseNextToTheJar() {
        String jar = "C:\\Program Files\\leakwatch\\leakwatch.jar";
        ExporterFlags flags = Main.SERVICE_FLAGS;
        assertEquals("C:\\etc\\leakwatch.yml", flags.configFile(List.of("--config.file=C:\\etc\\leakwatch.yml")));
        assertEquals("C:\\etc\\leakwatch.log", ServiceLog.path("C:\\etc\\leakwatch.yml", jar));
        assertEquals("", flags.configFile(List.of()));
        assertEquals("C:\\Program Files\\leakwatch\\leakwatch.log", ServiceLog.path("", jar));
        assertEquals("", flags.configFile(List.of("--config.file=")));
        assertEquals("", flags.configFile(List.of("--no-such-flag")), "validated already: no config file");
    }
}
