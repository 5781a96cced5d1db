package io.leakwatch.metrics;

import io.leakwatch.backend.linux.LinuxProcBackend;
import io.leakwatch.model.ProcessFilter;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import io.prometheus.client.exporter.common.TextFormat;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.leakwatch.model.ProcessSample.ABSENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The streaming writer must produce exactly what simpleclient's TextFormat makes of ProcessFamilies. */
class ProcessFamiliesWriterTest {

    private static String viaTextFormat(ProcessSnapshot snapshot, String contentType) throws IOException {
        StringWriter out = new StringWriter();
        TextFormat.writeFormat(contentType, out, Collections.enumeration(ProcessFamilies.of(snapshot)));
        return out.toString();
    }

    private static String streamed(ProcessSnapshot snapshot, String contentType) throws IOException {
        StringWriter out = new StringWriter();
        boolean openMetrics = TextFormat.CONTENT_TYPE_OPENMETRICS_100.equals(contentType);
        new ProcessFamiliesWriter().write(out, snapshot, openMetrics);
        if (openMetrics) {
            out.write("# EOF\n"); // TextFormat closes the body; Exposition leaves that to the self-metrics
        }
        return out.toString();
    }

    private static void assertIdentical(ProcessSnapshot snapshot) throws IOException {
        for (String type : List.of(TextFormat.CONTENT_TYPE_004, TextFormat.CONTENT_TYPE_OPENMETRICS_100)) {
            assertEquals(viaTextFormat(snapshot, type), streamed(snapshot, type), type);
        }
    }

    private static ProcessSample sample(ProcessInfo info, double base) {
        return new ProcessSample(info, base + 0.01, base * 3, 12, 4, 20, base * 4096, 1 << 20, ABSENT,
                17, 9, ABSENT, 123_456_789, 0, ABSENT, ABSENT, 4096L * 1024 * 1024 * 5, 1.8446744073709552E19,
                1024 * 1024, 2e9, 3e9 + 4096);
    }

    @Test
    void realProcessesOfThisMachine() throws IOException {
        ProcessSnapshot snapshot;
        try (LinuxProcBackend backend = new LinuxProcBackend(Path.of("/proc"), ProcessFilter.all(), true)) {
            snapshot = backend.collect();
        }
        assertTrue(snapshot.processes().size() > 1, "this machine has processes");
        assertIdentical(snapshot);
    }

    @Test
    void labelsThatNeedEscapingAndAwkwardValues() throws IOException {
        List<ProcessSample> processes = new ArrayList<>();
        processes.add(sample(ProcessInfo.of("quote\"back\\slash\nnewline", 7, -1, 0, "DOMAIN\\user",
                "/bin/sh -c \"echo \\\\n\"\nnext", 1.764151234E9 + 0.37), 1));
        processes.add(sample(ProcessInfo.of("ünïcødé ✓", 4_194_304, 1, 4_194_304, "", "", 0), 0));
        processes.add(sample(ProcessInfo.of("negative", 3, Long.MIN_VALUE, -5, "1000", "x", -1.5), -7.25));
        processes.add(new ProcessSample(ProcessInfo.of("all-absent", 9, 1, 1, "root", "", 12),
                ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT,
                ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT));
        assertIdentical(new ProcessSnapshot(processes, 0, 0));
    }

    @Test
    void noProcessesStillWritesTheInfoHeader() throws IOException {
        assertIdentical(new ProcessSnapshot(List.of(), 0, 0));
    }
}
