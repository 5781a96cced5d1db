package io.leakwatch.backend.linux;

import io.leakwatch.testing.ChildProcess;
import io.leakwatch.testing.ExpositionCheck;
import io.leakwatch.testing.TestExporter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process hides from no default by the bytes of its name: real processes that named themselves
 * (through /proc/self/comm) with a newline, or with nothing at all, are exported with the default
 * include and exclude. windows_exporter's defaults, ^(?:.+)$ and ^(?:)$, would leave both out.
 */
class ProcessNamesLiveTest {

    @Test
    void aNameWithANewlineAndAnEmptyNameAreExportedByDefault() throws Exception {
        try (ChildProcess newline = ChildProcess.start("lw\nhidden".getBytes(StandardCharsets.US_ASCII), 1);
             ChildProcess empty = ChildProcess.start(new byte[]{0}, 1); // a NUL first: the kernel keeps an empty comm
             TestExporter e = TestExporter.start()) {
            assertEquals("(lw\nhidden)", stat(newline.pid()).substring(stat(newline.pid()).indexOf('('), stat(newline.pid()).lastIndexOf(')') + 1));
            assertTrue(stat(empty.pid()).contains(" () "), "an empty comm: " + stat(empty.pid()));
            String body = e.scrape();
            ExpositionCheck.assertWellFormed(body);
            assertTrue(body.contains("windows_process_private_bytes{process=\"lw\\nhidden\",process_id=\"" + newline.pid() + "\",}"),
                    "the name with a newline, escaped in the exposition");
            assertTrue(body.contains("windows_process_private_bytes{process=\"\",process_id=\"" + empty.pid() + "\",}"), "the empty name");
        }
    }

    private static String stat(long pid) throws Exception {
        return Files.readString(Path.of("/proc/" + pid + "/stat"));
    }
}
