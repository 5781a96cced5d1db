package io.leakwatch.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    @TempDir
    Path dir;

    private static Settings load(String... args) throws UsageException {
        return Settings.load(CommandLine.parse(List.of(args)).values());
    }

    private static String error(String... args) {
        UsageException e = assertThrows(UsageException.class, () -> load(args));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void defaultsMatchWindowsExporter() throws Exception {
        Settings s = load();
        assertEquals(List.of(new ListenAddress(null, 9182)), s.listenAddresses());
        assertEquals("/metrics", s.telemetryPath());
        assertEquals(java.util.Set.of("process"), s.enabledCollectors());
        assertEquals(0.5, s.timeoutMarginSeconds());
        assertTrue(s.processCmdline());
        assertTrue(s.processFilter().selects("anything"));
        assertEquals(Path.of("/proc"), s.procfs());
    }

    @Test
    void theSeedsCommandLineWorksInBothSpellings() throws Exception {
        Settings a = load("--collectors.enabled", "process", "--collector.process.include=firefox.+");
        Settings b = load("--collectors.enabled=process", "--collector.process.include", "firefox.+");
        for (Settings s : List.of(a, b)) {
            assertTrue(s.processFilter().selects("firefox-esr"));
            assertFalse(s.processFilter().selects("firefox"), "full match: .+ needs one more character");
            assertFalse(s.processFilter().selects("xfirefox-esr"), "anchored at the start");
        }
    }

    @Test
    void excludeWinsOverInclude() throws Exception {
        Settings s = load("--collector.process.include=fire.*", "--collector.process.exclude=firefox-bin");
        assertTrue(s.processFilter().selects("firefox"));
        assertFalse(s.processFilter().selects("firefox-bin"));
    }

    @Test
    void booleansAndRepeatableFlags() throws Exception {
        assertFalse(load("--no-collector.process.cmdline").processCmdline());
        assertFalse(load("--collector.process.cmdline=false").processCmdline());
        assertTrue(load("--web.disable-exporter-metrics").disableExporterMetrics());
        Settings s = load("--web.listen-address=127.0.0.1:1", "--web.listen-address", "[::1]:2");
        assertEquals(List.of(new ListenAddress("127.0.0.1", 1), new ListenAddress("::1", 2)), s.listenAddresses());
        assertEquals(java.util.Set.of("process"), load("--collectors.enabled=[defaults],process").enabledCollectors());
    }

    @Test
    void yamlConfigFileInWindowsExporterFormat() throws Exception {
        Path yml = Files.writeString(dir.resolve("config.yml"), """
                collectors:
                  enabled: process
                collector:
                  process:
                    include: "firefox.+"
                    cmdline: false
                web:
                  listen-address: ":19999"
                log:
                  level: warn
                """);
        Settings s = load("--config.file=" + yml);
        assertTrue(s.processFilter().selects("firefox-esr"));
        assertFalse(s.processFilter().selects("chrome"));
        assertFalse(s.processCmdline());
        assertEquals(List.of(new ListenAddress(null, 19999)), s.listenAddresses());
        assertEquals("warn", s.logLevel());
    }

    @Test
    void commandLineWinsOverTheFile() throws Exception {
        Path conf = Files.writeString(dir.resolve("leakwatch.conf"),
                "collector.process.include = \"from-file\"\nlog { level = debug }\n");
        Settings s = load("--config.file", conf.toString(), "--collector.process.include=from-cli");
        assertTrue(s.processFilter().selects("from-cli"));
        assertFalse(s.processFilter().selects("from-file"));
        assertEquals("debug", s.logLevel(), "the file still beats the defaults");
    }

    @Test
    void jsonConfigFile() throws Exception {
        Path json = Files.writeString(dir.resolve("c.json"), "{\"collector\":{\"process\":{\"exclude\":\"sshd\"}}}");
        assertFalse(load("--config.file=" + json).processFilter().selects("sshd"));
    }

    @Test
    void userMistakesAreOneLineErrorsNamingTheFlagOrKey() throws IOException {
        assertTrue(error("--collector.process.includ=x").contains("unknown flag --collector.process.includ"));
        assertTrue(error("--collector.process.include=(").contains("--collector.process.include: invalid regex"));
        assertTrue(error("--collector.process.exclude=[a").contains("--collector.process.exclude: invalid regex"));
        assertTrue(error("--collectors.enabled=cpu").contains("'cpu' is a windows_exporter collector"));
        assertTrue(error("--collectors.enabled=bogus").contains("unknown collector 'bogus'"));
        assertTrue(error("--web.listen-address=nope").contains("--web.listen-address"));
        assertTrue(error("--web.listen-address=:99999").contains("no valid port"));
        assertTrue(error("--scrape.timeout-margin=soon").contains("--scrape.timeout-margin"));
        assertTrue(error("--log.level=loud").contains("--log.level"));
        assertTrue(error("--telemetry.path=metrics").contains("--telemetry.path"));
        assertTrue(error("--collector.process.cmdline=maybe").contains("--collector.process.cmdline"));
        assertTrue(error("--collector.process.include").contains("needs a value"));
        assertTrue(error("--log.level=info", "--log.level=debug").contains("more than once"));
        assertTrue(error("stray").contains("unexpected argument 'stray'"));
        assertTrue(error("--config.file=/nonexistent/x.yml").contains("no such file"));

        Path unknownKey = Files.writeString(dir.resolve("bad.yml"), "collector:\n  process:\n    includ: x\n");
        assertTrue(error("--config.file=" + unknownKey).contains("unknown key 'collector.process.includ'"));
        Path badYaml = Files.writeString(dir.resolve("broken.yaml"), "collector: [unclosed\n");
        assertTrue(error("--config.file=" + badYaml).contains("invalid YAML"));
        Path badHocon = Files.writeString(dir.resolve("broken.conf"), "collector { process { include = \n");
        assertTrue(error("--config.file=" + badHocon).startsWith("--config.file"));
        Path notAMap = Files.writeString(dir.resolve("list.yml"), "- a\n- b\n");
        assertTrue(error("--config.file=" + notAMap).contains("mapping"));
        Path hostile = Files.writeString(dir.resolve("hostile.yml"), "\"a\\nb\": 1\n");
        assertFalse(error("--config.file=" + hostile).contains("\n"));
    }
}
