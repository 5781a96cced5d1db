package io.leakwatch.backend.windows;

import com.sun.jna.Pointer;
import io.leakwatch.metrics.Exposition;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.testing.ExpositionCheck;
import io.leakwatch.testing.GoldenFile;
import io.leakwatch.testing.Promtool;
import io.prometheus.client.exporter.common.TextFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.util.List;
import java.util.Set;

/**
 * The whole /metrics body made from the SYSTEM_PROCESS_INFORMATION buffer recorded under Wine 8,
 * through the real Windows backend, coordinator and exposition (the owner and command line come
 * from the fake native layer), against src/test/resources/golden.
 */
class WindowsGoldenScrapeTest {
    static String scrape() throws Exception {
        byte[] recorded = WineFixtureTest.resource("spi-wine8.bin");
        long recordedBase = Long.decode(WineFixtureTest.meta().get("base"));
        SystemInformationCall replay = (buffer, length, returnLength) -> {
            byte[] bytes = WindowsProcessBackendTest.rebase(recorded, recordedBase, Pointer.nativeValue(buffer));
            buffer.write(0, bytes, 0, bytes.length);
            returnLength.setInt(0, bytes.length);
            return NtStatus.SUCCESS;
        };
        WindowsProcessBackend backend = new WindowsProcessBackend(new ProcessInformationBuffer(replay),
                new WindowsProcessBackendTest.FakeDetails(), ProcessFilter.all(), true, false);
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(backend)) {
            StringWriter out = new StringWriter();
            new Exposition(coordinator, false, List.of()).write(out, TextFormat.CONTENT_TYPE_004, Set.of("process"), 10,
                    System.nanoTime());
            return out.toString();
        }
    }

    @Test
    void wine8BufferScrape() throws Exception {
        String body = scrape();
        ExpositionCheck.assertWellFormed(body);
        GoldenFile.assertMatches("windows-wine8.metrics", body);
    }

    /** The reference parser agrees (system tier: needs promtool from Debian's prometheus package). */
    @Test
    @Tag("system")
    void promtoolAcceptsTheScrape() throws Exception {
        Promtool.assertValidMetrics(scrape());
    }
}
