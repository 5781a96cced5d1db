package io.leakwatch.leak;

import io.leakwatch.Settings;
import io.leakwatch.config.CommandLine;
import io.leakwatch.config.UsageException;
import io.leakwatch.leak.LeakSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.leakwatch.leak.Series.DAY;
import static io.leakwatch.leak.Series.SEED_BYTES_PER_SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeakSettingsTest {
    private static LeakSettings parse(String... args) throws UsageException {
        return Settings.parse(List.of(args)).leak();
    }

    @Test
    void defaultsCatchTheSeedsRate() throws Exception {
        LeakSettings s = parse();
        assertTrue(s.enabled());
        assertEquals(60, s.sampleIntervalSeconds());
        assertEquals(DAY, s.windowSeconds());
        assertEquals(1800, s.bucketSeconds());
        assertEquals(10.0 * 1024 * 1024 / DAY, s.minGrowthBytesPerSecond(), 1e-9);
        assertEquals(100 / DAY, s.minHandleGrowthPerSecond(), 1e-12);
        assertTrue(SEED_BYTES_PER_SECOND > 1.5 * s.minGrowthBytesPerSecond(), "1 GB in 60 days is well above the default");
        assertTrue(s.stateFile().endsWith(Path.of("leakwatch", "leak-state-9182.json")), s.stateFile().toString());
        assertEquals(s.stateFile().resolveSibling("leak-state.json"), s.olderStateFile(), "the default before it named the port");
        assertTrue(parse("--web.listen-address=127.0.0.1:9300", "--web.listen-address=:9400").stateFile()
                .endsWith(Path.of("leakwatch", "leak-state-9300.json")), "the first address's port");
    }

    @Test
    void flagsAreRead() throws Exception {
        LeakSettings s = parse("--leak.window=90s", "--leak.sample-interval", "1s", "--leak.state-file=", "--leak.min-growth=1MB/h",
                "--leak.min-handle-growth=10/1h", "--no-leak.enabled");
        assertFalse(s.enabled());
        assertEquals(90, s.windowSeconds());
        assertEquals(1, s.sampleIntervalSeconds());
        assertNull(s.stateFile());
        assertEquals(1e6 / 3600, s.minGrowthBytesPerSecond(), 1e-9);
        assertEquals(10.0 / 3600, s.minHandleGrowthPerSecond(), 1e-12);
        assertEquals(Path.of("/var/lib/lw.json"), parse("--leak.state-file=/var/lib/lw.json").stateFile());
        assertNull(parse("--leak.state-file=/var/lib/lw.json").olderStateFile(), "a file named by hand is the only one read");
        assertEquals(7 * DAY, parse("--leak.window=7d").windowSeconds());
    }

    @Test
    void badValuesAreOneLineErrorsNamingTheFlag() {
        String[][] cases = {
                {"--leak.window=90", "--leak.window"},
                {"--leak.window=soon", "--leak.window"},
                {"--leak.window=5s", "--leak.window"},
                {"--leak.sample-interval=0s", "--leak.sample-interval"},
                {"--leak.sample-interval=2h", "--leak.sample-interval"},
                {"--leak.min-growth=10MiB", "--leak.min-growth"},
                {"--leak.min-growth=lots/d", "--leak.min-growth"},
                {"--leak.min-growth=-5MB/d", "--leak.min-growth"},
                {"--leak.min-growth=5MB/fortnight", "--leak.min-growth"},
                {"--leak.min-handle-growth=many/d", "--leak.min-handle-growth"},
                {"--leak.min-handle-growth=0/d", "--leak.min-handle-growth"},
        };
        for (String[] c : cases) {
            UsageException e = assertThrows(UsageException.class, () -> parse(c[0]), c[0]);
            assertTrue(e.getMessage().startsWith(c[1] + ":"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void aWindowsExporterStyleYamlConfigFileSetsThemAndFlagsWin(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("config.yml");
        java.nio.file.Files.writeString(yaml, """
                leak:
                  window: 7d
                  sample-interval: 5m
                  min-growth: 5MiB/d
                  state-file: ""
                """);
        LeakSettings s = parse("--config.file=" + yaml, "--leak.sample-interval=2m");
        assertEquals(7 * DAY, s.windowSeconds());
        assertEquals(120, s.sampleIntervalSeconds(), "the command line wins");
        assertEquals(5.0 * 1024 * 1024 / DAY, s.minGrowthBytesPerSecond(), 1e-9);
        assertNull(s.stateFile());
    }
}
