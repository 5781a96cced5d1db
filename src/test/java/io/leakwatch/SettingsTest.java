package io.leakwatch;

import io.leakwatch.config.UsageException;
import io.leakwatch.guard.GuardSettings;
import io.leakwatch.http.ListenAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    @TempDir
    Path dir;

    private static Settings load(String... args) throws UsageException {
        return Settings.load(Settings.commandLine(List.of(args)), Map.of());
    }

    private static String error(String... args) {
        UsageException e = assertThrows(UsageException.class, () -> load(args));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void defaultsMatchWindowsExporter() throws Exception {
        Settings s = load();
        assertEquals(List.of(new ListenAddress(null, 9182)), s.http().listenAddresses());
        assertEquals("/metrics", s.http().telemetryPath());
        assertEquals(Set.of("process"), s.http().enabledCollectors());
        assertEquals(0.5, s.http().timeoutMarginSeconds());
        assertTrue(s.process().cmdline());
        assertTrue(s.process().filter().selects("anything"));
        assertEquals(Path.of("/proc"), s.process().procfs());
    }

    @Test
    void theSeedsCommandLineWorksInBothSpellings() throws Exception {
        Settings a = load("--collectors.enabled", "process", "--collector.process.include=firefox.+");
        Settings b = load("--collectors.enabled=process", "--collector.process.include", "firefox.+");
        for (Settings s : List.of(a, b)) {
            assertTrue(s.process().filter().selects("firefox-esr"));
            assertFalse(s.process().filter().selects("firefox"), "full match: .+ needs one more character");
            assertFalse(s.process().filter().selects("xfirefox-esr"), "anchored at the start");
        }
    }

    @Test
    void processDefaultsSelectEveryNameLeaveKernelThreadsOutAndCapCommandLines() throws Exception {
        Settings s = load();
        assertTrue(s.process().filter().selectsAll(), "no filter given");
        assertTrue(s.process().filter().selects("a\nb") && s.process().filter().selects(""), "every name, whatever its bytes");
        assertFalse(s.process().kernelThreads());
        assertEquals(2048, s.guards().cmdlineMaxBytes());
        assertTrue(load("--collector.process.kernel-threads").process().kernelThreads());
        assertEquals(0, load("--collector.process.cmdline-max-length=0").guards().cmdlineMaxBytes(), "0: no limit");
        assertEquals(4, load("--collector.process.cmdline-max-length=4").guards().cmdlineMaxBytes());
        assertTrue(error("--collector.process.cmdline-max-length=-1").startsWith("--collector.process.cmdline-max-length"));
        assertTrue(error("--collector.process.cmdline-max-length=3").contains("no room beside the marker"));
        assertTrue(error("--collector.process.cmdline-max-length=lots").startsWith("--collector.process.cmdline-max-length"));
        assertTrue(load("--collector.process.include=.*").process().filter().selectsAll());
        assertFalse(load("--collector.process.include=java").process().filter().selectsAll());
        assertFalse(load("--collector.process.exclude=kworker.*").process().filter().selectsAll());
    }

    @Test
    void excludeWinsOverInclude() throws Exception {
        Settings s = load("--collector.process.include=fire.*", "--collector.process.exclude=firefox-bin");
        assertTrue(s.process().filter().selects("firefox"));
        assertFalse(s.process().filter().selects("firefox-bin"));
    }

    @Test
    void booleansAndRepeatableFlags() throws Exception {
        assertFalse(load("--no-collector.process.cmdline").process().cmdline());
        assertFalse(load("--collector.process.cmdline=false").process().cmdline());
        assertTrue(load("--web.disable-exporter-metrics").http().disableExporterMetrics());
        Settings s = load("--web.listen-address=127.0.0.1:1", "--web.listen-address", "[::1]:2");
        assertEquals(List.of(new ListenAddress("127.0.0.1", 1), new ListenAddress("::1", 2)), s.http().listenAddresses());
        // collect[] may name every enabled collector; only process has samples
        assertEquals(Set.of("process", "cpu", "memory", "logical_disk", "physical_disk", "net", "os", "service", "system"),
                load("--collectors.enabled=[defaults],process").http().enabledCollectors());
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
        assertTrue(s.process().filter().selects("firefox-esr"));
        assertFalse(s.process().filter().selects("chrome"));
        assertFalse(s.process().cmdline());
        assertEquals(List.of(new ListenAddress(null, 19999)), s.http().listenAddresses());
        assertEquals("warn", s.log().level());
    }

    @Test
    void commandLineWinsOverTheFile() throws Exception {
        Path conf = Files.writeString(dir.resolve("leakwatch.conf"),
                "collector.process.include = \"from-file\"\nlog { level = debug }\n");
        Settings s = load("--config.file", conf.toString(), "--collector.process.include=from-cli");
        assertTrue(s.process().filter().selects("from-cli"));
        assertFalse(s.process().filter().selects("from-file"));
        assertEquals("debug", s.log().level(), "the file still beats the defaults");
    }

    @Test
    void jsonConfigFile() throws Exception {
        Path json = Files.writeString(dir.resolve("c.json"), "{\"collector\":{\"process\":{\"exclude\":\"sshd\"}}}");
        assertFalse(load("--config.file=" + json).process().filter().selects("sshd"));
    }

    @Test
    void userMistakesAreOneLineErrorsNamingTheFlagOrKey() throws IOException {
        assertTrue(error("--collector.process.includ=x").contains("unknown flag --collector.process.includ"));
        assertTrue(error("--collector.process.include=(").contains("--collector.process.include: invalid regex"));
        assertTrue(error("--collector.process.exclude=[a").contains("--collector.process.exclude: invalid regex"));
        assertTrue(error("--collectors.enabled=cpu").contains("the process collector is not enabled (collectors: cpu)"));
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

    @Test
    void valuesOfTheWrongTypeInAConfigFileAreOneLineErrors() throws IOException {
        assertTrue(error("--config.file=" + yaml("leak:\n  enabled: maybe\n")).contains("--leak.enabled: 'maybe' is not true or false"));
        assertTrue(error("--config.file=" + yaml("collector:\n  process:\n    max-processes: [1, 2]\n"))
                .contains("--collector.process.max-processes"));
        assertTrue(error("--config.file=" + yaml("collector:\n  process:\n    include: [[a], b]\n"))
                .contains("--collector.process.include: expected a list of plain values"));
        assertTrue(error("--config.file=" + yaml("web:\n  max-requests: {a: 1}\n")).contains("unknown key 'web.max-requests.a'"));
        Path hocon = Files.writeString(dir.resolve("subst.conf"), "collector.process.include = ${UNDEFINED}\n");
        assertTrue(error("--config.file=" + hocon).contains("UNDEFINED"));
        Path hoconList = Files.writeString(dir.resolve("list.conf"), "web { max-requests = [1, 2] }\n");
        assertTrue(error("--config.file=" + hoconList).contains("--web.max-requests"));
        // a one-item list used to read as its item ("1"): a list is never a number, a switch or a duration
        Path oneItem = Files.writeString(dir.resolve("one.conf"), "web { max-requests = [1] }\n");
        assertTrue(error("--config.file=" + oneItem).contains("--web.max-requests: expected a single value, found a list"));
        assertTrue(error("--config.file=" + yaml("leak:\n  enabled: [true]\n")).contains("--leak.enabled: expected a single value"));
        assertTrue(error("--config.file=" + yaml("leak:\n  window: [24h]\n")).contains("--leak.window: expected a single value"));
    }

    @Test
    void windowsExportersGlobalFlagsAreCheckedNotIgnored() throws Exception {
        // windows_exporter ignores an unknown priority silently and takes a negative memory limit as "none"
        assertEquals("--process.priority: 'bogus' is not one of realtime, high, abovenormal, normal, belownormal, low",
                error("--process.priority=bogus"));
        assertTrue(error("--process.priority=High").contains("'High' is not one of"), "case-sensitive, as windows_exporter's names");
        assertEquals("--process.memory-limit: '-5' is not a whole number of bytes >= 0 (0 = no limit)",
                error("--process.memory-limit=-5"));
        assertEquals(List.of(), load("--process.memory-limit=0").warnings().stream().filter(w -> w.contains("memory-limit")).toList(),
                "the default says nothing");
        assertTrue(load("--process.memory-limit=200000000").warnings().stream().anyMatch(w -> w.startsWith("--process.memory-limit has no effect")));
        assertEquals("belownormal", load("--process.priority=belownormal").self().priority());
    }

    @Test
    void aRemovedFlagOfEarlierVersionsStartsWithAWarning() throws Exception {
        assertTrue(load("--web.max-connections-per-client=4").warnings().stream()
                .anyMatch(w -> w.startsWith("--web.max-connections-per-client has no effect")));
        assertEquals(List.of(), load().warnings().stream().filter(w -> w.contains("per-client")).toList(), "unset says nothing");
        assertTrue(error("--web.max-connections-per-client=-1").contains("a whole number >= 0"));
    }

    @Test
    void theBuiltinRedactionHasANameAndEmptyTurnsItOff() throws Exception {
        assertEquals(GuardSettings.DEFAULT_REDACT_REGEX, load().guards().cmdlineRedactRegex());
        assertEquals(GuardSettings.DEFAULT_REDACT_REGEX, load("--collector.process.cmdline-redact=builtin").guards().cmdlineRedactRegex());
        assertEquals("", load("--collector.process.cmdline-redact=").guards().cmdlineRedactRegex());
        assertEquals("(x)", load("--collector.process.cmdline-redact=(x)").guards().cmdlineRedactRegex());
    }

    @Test
    void deeplyNestedOrHugeConfigFilesAreRefusedWithoutOverflowingTheStack() throws IOException {
        String deepYaml = "a: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
        assertTrue(error("--config.file=" + yaml(deepYaml)).contains("nested deeper than"));
        String deepBlockYaml = "x:\n  " + "- ".repeat(3000) + "1\n";
        assertTrue(error("--config.file=" + yaml(deepBlockYaml)).contains("nested deeper than"));
        Path deepJson = Files.writeString(dir.resolve("deep.json"), "{\"a\":".repeat(5000) + "1" + "}".repeat(5000));
        assertTrue(error("--config.file=" + deepJson).contains("nested deeper than"));
        Path deepHocon = Files.writeString(dir.resolve("deep.conf"), "a { ".repeat(5000) + "}".repeat(5000));
        assertTrue(error("--config.file=" + deepHocon).contains("nested deeper than"));
        Path huge = Files.writeString(dir.resolve("huge.yml"), "# " + "x".repeat(2 * 1024 * 1024) + "\n");
        assertTrue(error("--config.file=" + huge).contains("larger than"));
    }

    private Path yaml(String text) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "c", ".yml"), text);
    }
}
