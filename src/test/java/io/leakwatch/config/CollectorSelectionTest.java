package io.leakwatch.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --collectors.enabled / --collectors.disabled as windows_exporter reads them. */
class CollectorSelectionTest {
    private static String refused(String enabled, String disabled) {
        UsageException e = assertThrows(UsageException.class, () -> CollectorSelection.resolve(enabled, disabled));
        assertFalse(e.getMessage().contains("\n"));
        return e.getMessage();
    }

    @Test
    void processAloneIsServedWithoutWarning() throws Exception {
        CollectorSelection s = CollectorSelection.resolve("process", "");
        assertEquals(List.of(), s.notProvided());
        assertEquals("", s.notProvidedWarning());
    }

    @Test
    void defaultsExpandToWindowsExportersDefaultsWhichLeaveProcessOut() throws Exception {
        assertTrue(refused("[defaults]", "").contains("[defaults] do not include it"));
        CollectorSelection s = CollectorSelection.resolve("[defaults],process", "");
        assertEquals(List.of("cpu", "memory", "logical_disk", "physical_disk", "net", "os", "service", "system"), s.notProvided());
        String warning = s.notProvidedWarning();
        assertFalse(warning.contains("\n"));
        assertTrue(warning.contains("not served here: cpu, memory") && warning.contains("another port"), warning);
    }

    @Test
    void disabledRemovesAfterExpansion() throws Exception {
        CollectorSelection s = CollectorSelection.resolve("[defaults],process", "cpu,service,nosuch");
        assertEquals(List.of("memory", "logical_disk", "physical_disk", "net", "os", "system"), s.notProvided());
        assertEquals(List.of("nosuch"), s.unknownDisabled());
        assertTrue(refused("cpu,process", "process").contains("the process collector is not enabled (collectors: cpu)"));
    }

    @Test
    void aFleetsUsualListStarts() throws Exception {
        CollectorSelection s = CollectorSelection.resolve(
                "cpu,cpu_info,exchange,iis,logical_disk,memory,net,os,performancecounter,process,remote_fx,service,system,tcp,time,terminal_services,textfile", "");
        assertEquals(16, s.notProvided().size());
    }

    @Test
    void unknownEnabledNamesAreErrorsAsInWindowsExporter() {
        assertTrue(refused("process,cpuu", "").contains("unknown collector 'cpuu'"));
        assertTrue(refused("", "").contains("collectors: none"));
    }
}
