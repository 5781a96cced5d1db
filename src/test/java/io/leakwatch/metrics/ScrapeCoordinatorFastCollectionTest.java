package io.leakwatch.metrics;

import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.model.ProcessFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A collection can finish before collect() has looked at it (a procfs with no processes takes microseconds). */
class ScrapeCoordinatorFastCollectionTest {

    @Test
    void everyCollectGetsAResultEvenWhenTheCollectionIsInstant(@TempDir Path procfs) throws IOException {
        Files.writeString(procfs.resolve("stat"), "cpu  1 2 3 4\nbtime 1764150000\n");
        try (ScrapeCoordinator coordinator = new ScrapeCoordinator(new LinuxProcBackend(procfs, ProcessFilter.all(), true))) {
            for (int i = 0; i < 5_000; i++) {
                CollectionResult result = coordinator.collect(5.0);
                assertTrue(result.success(), "collection " + i + " succeeded");
            }
        }
    }
}
