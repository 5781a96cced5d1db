package io.leakwatch.backend.windows;

import com.sun.jna.Pointer;
import io.leakwatch.metrics.Exposition;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.testing.ExpositionCheck;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Windows backend behind the real coordinator and exposition: what Prometheus would scrape
 * from Wine's buffer, a failing NtQuerySystemInformation, and a corrupt record.
 */
class WindowsExpositionTest {

    @Test
    void wineBufferScrapesAsWindowsExporterMetricsAndFailuresReportSuccessZero() throws Exception {
        byte[] recorded = WineFixtureTest.resource("spi-wine8.bin");
        long recordedBase = Long.decode(WineFixtureTest.meta().get("base"));
        Deque<Integer> failures = new ArrayDeque<>();
        boolean[] corrupt = {false};
        SystemInformationCall replay = (buffer, length, returnLength) -> {
            if (!failures.isEmpty()) {
                return failures.poll();
            }
            byte[] bytes = WindowsProcessBackendTest.rebase(recorded, recordedBase, Pointer.nativeValue(buffer));
            if (corrupt[0]) {
                bytes[0x1b6 + 0x04] = (byte) 0xFF; // second record claims 255 threads
            }
            buffer.write(0, bytes, 0, bytes.length);
            returnLength.setInt(0, bytes.length);
            return NtStatus.SUCCESS;
        };
        WindowsProcessBackend backend = new WindowsProcessBackend(new ProcessInformationBuffer(replay),
                new WindowsProcessBackendTest.FakeDetails(), ProcessFilter.of("leaker|services", ""), true, false);
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            Exposition exposition = new Exposition(coordinator, false, List.of());

            String body = scrape(exposition);
            ExpositionCheck.assertWellFormed(body);
            assertTrue(body.contains("windows_process_working_set_bytes{process=\"leaker\",process_id=\"32\",} 9609216.0"), body);
            assertTrue(body.contains("windows_process_virtual_bytes{process=\"leaker\",process_id=\"32\",} 1.801486336E9"), body);
            assertTrue(body.contains("windows_process_cpu_time_total{process=\"leaker\",process_id=\"32\",mode=\"privileged\",} 0.01"), body);
            assertTrue(body.contains("windows_process_start_time_seconds_timestamp{process=\"leaker\",process_id=\"32\",} 1.795690486721544E9"), body);
            assertTrue(body.contains("windows_process_pool_bytes{process=\"services\",process_id=\"56\",pool=\"paged\",} 0.0"),
                    "Windows has pool accounting: Wine's 0 is reported, not left out");
            assertTrue(body.contains("windows_process_info{process=\"services\",process_id=\"56\",creating_process_id=\"40\","
                    + "process_group_id=\"560\",owner=\"svc-56\\\\CONTOSO\",cmdline=\"\\\"C:\\\\Program Files\\\\app\\\\proc56.exe\\\" --secret=x\",} 1.0"), body);
            assertFalse(body.contains("process=\"explorer\""), "filtered out");
            assertTrue(body.contains("windows_exporter_collector_success{collector=\"process\",} 1.0"));

            failures.add(0xC000009A); // STATUS_INSUFFICIENT_RESOURCES
            body = scrape(exposition);
            assertTrue(body.contains("windows_exporter_collector_success{collector=\"process\",} 0.0"), body);
            assertFalse(body.contains("windows_process_working_set_bytes{"), "no stale series from the failed scrape");

            corrupt[0] = true;
            body = scrape(exposition);
            assertTrue(body.contains("windows_exporter_collector_success{collector=\"process\",} 1.0"), body);
            assertTrue(body.contains("leakwatch_collector_skipped_processes_total{collector=\"process\",reason=\"malformed\",} 1.0"), body);
            assertTrue(body.contains("process=\"leaker\""), "the records around the corrupt one are kept");
        }
    }

    private static String scrape(Exposition exposition) throws Exception {
        StringWriter out = new StringWriter();
        exposition.write(out, Exposition.contentType(null), Set.of("process"), 5.0, System.nanoTime());
        return out.toString();
    }
}
