package io.leakwatch.backend.linux;

import io.leakwatch.testing.ExpositionCheck;
import io.leakwatch.testing.GoldenFile;
import io.leakwatch.testing.Promtool;
import io.leakwatch.testing.TestExporter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/** The whole /metrics body served from the fixture procfs tree, against src/test/resources/golden. */
class LinuxGoldenScrapeTest {
    static Path fixture() throws Exception {
        return Path.of(LinuxGoldenScrapeTest.class.getResource("/procfs/basic/stat").toURI()).getParent();
    }

    /** The scrape a Prometheus server gets (text format 0.0.4, no gzip), minus the exporter's own JVM metrics. */
    static String scrape() throws Exception {
        try (TestExporter e = TestExporter.start("--path.procfs=" + fixture(), "--web.disable-exporter-metrics")) {
            return e.scrape();
        }
    }

    @Test
    void fixtureProcfsScrape() throws Exception {
        String body = scrape();
        ExpositionCheck.assertWellFormed(body);
        GoldenFile.assertMatches("linux-fixture.metrics", body);
    }

    /** The reference parser agrees (system tier: needs promtool from Debian's prometheus package). */
    @Test
    @Tag("system")
    void promtoolAcceptsTheScrape() throws Exception {
        Promtool.assertValidMetrics(scrape());
    }
}
