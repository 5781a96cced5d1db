package io.leakwatch;

import io.leakwatch.testing.ChildExporter;
import io.leakwatch.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a start with the launcher's defaults and a scrape must not load: each cost start-up time and memory
 * for nothing (docs/performance.md). The platform MBean server (about 250 classes), which Jetty's thread pool
 * starts to ask whether references are compressed; a child process, which JNA starts to run "ldconfig -p"
 * before it opens libc; the JCA providers, which basic auth loaded for an HMAC key even with no users.
 */
class StartupFootprintTest {
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aDefaultStartAndAScrapeLoadNoMBeanServerNoChildProcessAndNoCryptoProviders(@TempDir Path dir) throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "the launcher is a Linux shell script");
        Path classLog = dir.resolve("classes.log");
        try (ChildExporter child = ChildExporter.launch(Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog),
                "--leak.state-file=" + dir.resolve("leak-state.json"))) {
            assertEquals(200, Http.get(child.port, "/metrics").statusCode());
        }
        Set<String> loaded;
        try (var lines = Files.lines(classLog)) {
            loaded = lines.map(l -> l.split(" ")).filter(f -> f.length > 1).map(f -> f[1]).collect(Collectors.toSet());
        }
        assertTrue(loaded.contains("io.leakwatch.metrics.ProcessFamiliesWriter"), "the class log covers the scrape");
        assertEquals(List.of(), Stream.of("com.sun.jmx.mbeanserver.JmxMBeanServer", "java.lang.ProcessImpl", "javax.crypto.Mac")
                .filter(loaded::contains).toList(), "loaded, but should not be");
    }
}
