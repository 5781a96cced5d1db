package io.leakwatch.metrics;

import io.leakwatch.common.Version;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.exporter.common.TextFormat;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildInfoTest {
    /** windows_exporter_build_info as windows_exporter writes it: the labels of Prometheus' Go version collector. */
    private static final Pattern LINE = Pattern.compile("^windows_exporter_build_info\\{branch=\"([^\"]+)\",goarch=\"([^\"]+)\","
            + "goos=\"([^\"]+)\",goversion=\"([^\"]+)\",revision=\"([^\"]+)\",tags=\"([^\"]+)\",version=\"([^\"]+)\",} 1\\.0$",
            Pattern.MULTILINE);

    @Test
    void windowsExporterBuildInfoHasItsLabelsAndLeakwatchsVersion() throws Exception {
        Matcher m = LINE.matcher(text(new SelfMetrics("linux-procfs").of(null, true, 0.1)));
        assertTrue(m.find(), "windows_exporter_build_info with exactly windows_exporter's labels");
        assertEquals(Version.VERSION, m.group(7));
        assertEquals(Version.REVISION, m.group(5));
        assertEquals(Version.BRANCH, m.group(1));
        assertEquals("unknown", m.group(6), "no Go build tags, as Go says when there are none");
        assertTrue(m.group(4).startsWith("java"), m.group(4));
        // Go's names for this machine (the tests run on Linux, x86-64 or arm64)
        assertEquals("linux", m.group(3));
        assertTrue(List.of("amd64", "arm64").contains(m.group(2)), m.group(2));
    }

    @Test
    void servedWhenTheProcessCollectorIsNotAskedFor() throws Exception {
        // ?collect[]= naming only other collectors: windows_exporter still serves its build metric
        assertTrue(LINE.matcher(text(new SelfMetrics("linux-procfs").of(null, false, 0.1))).find());
    }

    private static String text(List<MetricFamilySamples> families) throws Exception {
        StringWriter out = new StringWriter();
        TextFormat.write004(out, Collections.enumeration(families));
        return out.toString();
    }
}
