package io.leakwatch.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Other collectors' keys: ignored when windows_exporter has them (whatever their values), refused when it does not. */
class WindowsExporterKeysTest {
    private static WindowsExporterKeys.FileKey key(String key, Object value) {
        return WindowsExporterKeys.fileKey(key);
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
    void namesWindowsExporterDoesNotHaveAreRefused() {
        for (String name : List.of("collector.service.includ", "collector.cpu.foo", "collector.update.scrape-interval")) {
            WindowsExporterKeys.FileKey k = key(name, "x");
            assertInstanceOf(WindowsExporterKeys.FileKey.Refused.class, k, name);
            String problem = ((WindowsExporterKeys.FileKey.Refused) k).problem();
            assertTrue(problem.contains(name) && !problem.contains("\n"), "names the key: " + problem);
        }
    }

    @Test
    void valuesOfCollectorsLeakwatchDoesNotRunAreNotChecked() {
        for (Map.Entry<String, Object> e : Map.<String, Object>of(
                "collector.textfile.directories", "C:\\MyDir1",
                "collector.service.include", "(a{1000}){1000}",
                "collector.update.online", "maybe",
                "collector.update.scrape_interval", "six hours",
                "collector.cpu", "x").entrySet()) {
            assertInstanceOf(WindowsExporterKeys.FileKey.Ignored.class, key(e.getKey(), e.getValue()), e.getKey());
        }
    }

    @Test
    void theProcessSectionAndOtherTopLevelKeysAreLeftToLeakwatch() {
        assertInstanceOf(WindowsExporterKeys.FileKey.NotOther.class, key("collector.process.include", "x"));
        assertInstanceOf(WindowsExporterKeys.FileKey.NotOther.class, key("log.level", "warn"));
        assertInstanceOf(WindowsExporterKeys.FileKey.NotOther.class, key("collector.nosuch.include", "x"));
    }

    @Test
    void otherCollectorsFlagsAreKnownAndWhichTakeNoValue() {
        assertEquals(39, WindowsExporterKeys.otherCollectorFlags().size());
        assertTrue(WindowsExporterKeys.takesNoValue("collector.update.online"));
        assertTrue(WindowsExporterKeys.takesNoValue("collector.exchange.list"));
        assertTrue(!WindowsExporterKeys.takesNoValue("collector.service.include"));
        assertTrue(!WindowsExporterKeys.isOtherCollectorFlag("collector.process.include"), "process is ours");
    }

    @Test
    void everyCollectorNameAndTheDefaults() {
        assertEquals(47, WindowsExporterKeys.COLLECTORS.size());
        assertTrue(WindowsExporterKeys.COLLECTORS.containsAll(WindowsExporterKeys.DEFAULT_COLLECTORS));
        assertTrue(!WindowsExporterKeys.DEFAULT_COLLECTORS.contains("process"), "windows_exporter's defaults leave process out");
    }
}
