package io.leakwatch.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Other collectors' keys: ignored when windows_exporter takes them, refused when it would refuse them. */
class WindowsExporterKeysTest {
    private static WindowsExporterKeys.FileKey key(String key, Object value) {
        return WindowsExporterKeys.fileKey(key, value);
    }

    @Test
    void keysWindowsExporterTakesAreIgnored() {
        for (Map.Entry<String, Object> e : Map.<String, Object>of(
                "collector.service.include", "windows_exporter",
                "collector.scheduled_task.include", "/Microsoft/.+",
                "collector.textfile.directories", List.of("C:\\MyDir1", "C:\\MyDir2"),
                "collector.performancecounter.objects", "- name: photon_udp\n  object: x",
                "collector.performancecounter.anything.below", 1,
                "collector.update.online", "yes",
                "collector.update.scrape_interval", "6h",
                "collector.smb_client", "",
                "collector.cpu", "").entrySet()) {
            Object value = e.getValue() instanceof String s && s.isEmpty() ? null : e.getValue();
            assertInstanceOf(WindowsExporterKeys.FileKey.Ignored.class, key(e.getKey(), value), e.getKey());
        }
    }

    @Test
    void keysWindowsExporterRefusesAreRefused() {
        Map<String, Object> refused = Map.of(
                "collector.service.includ", "x",                  // typo
                "collector.cpu.foo", "x",                         // cpu has no settings
                "collector.textfile.directories", "C:\\MyDir1",   // its decoder wants a YAML list
                "collector.service.include", "(?<=x)",            // not RE2
                "collector.update.online", "maybe",
                "collector.update.scrape_interval", "six hours",
                "collector.cpu", "x");                            // a scalar where a mapping belongs
        for (Map.Entry<String, Object> e : refused.entrySet()) {
            WindowsExporterKeys.FileKey k = key(e.getKey(), e.getValue());
            assertInstanceOf(WindowsExporterKeys.FileKey.Refused.class, k, e.getKey());
            String problem = ((WindowsExporterKeys.FileKey.Refused) k).problem();
            assertTrue(problem.contains(e.getKey()), "names the key: " + problem);
            assertTrue(!problem.contains("\n"), problem);
        }
    }

    @Test
    void theProcessSectionAndOtherTopLevelKeysAreLeftToLeakwatch() {
        assertInstanceOf(WindowsExporterKeys.FileKey.NotOther.class, key("collector.process.include", "x"));
        assertInstanceOf(WindowsExporterKeys.FileKey.NotOther.class, key("log.level", "warn"));
        assertInstanceOf(WindowsExporterKeys.FileKey.NotOther.class, key("collector.nosuch.include", "x"));
    }

    @Test
    void otherCollectorsFlagsAreKnownWithTheirKind() {
        assertEquals(39, WindowsExporterKeys.otherCollectorFlags().size());
        assertEquals(WindowsExporterKeys.Kind.BOOL, WindowsExporterKeys.otherCollectorFlag("collector.update.online").orElseThrow());
        assertEquals(WindowsExporterKeys.Kind.BOOL, WindowsExporterKeys.otherCollectorFlag("collector.exchange.list").orElseThrow());
        assertTrue(WindowsExporterKeys.otherCollectorFlag("collector.process.include").isEmpty(), "process is ours");
        assertTrue(WindowsExporterKeys.checkFlagValue("collector.service.include", "a)|(b").isEmpty(),
                "valid once wrapped in ^(?:...)$, as windows_exporter compiles it");
        assertTrue(WindowsExporterKeys.checkFlagValue("collector.service.include", "(").isPresent());
        assertTrue(WindowsExporterKeys.checkFlagValue("collector.update.scrape-interval", "1h30m").isEmpty());
        assertTrue(WindowsExporterKeys.checkFlagValue("collector.update.scrape-interval", "soon").isPresent());
    }

    @Test
    void everyCollectorNameAndTheDefaults() {
        assertEquals(47, WindowsExporterKeys.COLLECTORS.size());
        assertTrue(WindowsExporterKeys.COLLECTORS.containsAll(WindowsExporterKeys.DEFAULT_COLLECTORS));
        assertTrue(!WindowsExporterKeys.DEFAULT_COLLECTORS.contains("process"), "windows_exporter's defaults leave process out");
    }
}
