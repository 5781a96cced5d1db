package io.leakwatch;

import io.leakwatch.config.Flag;
import io.leakwatch.config.Flags;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** README is the front door: every flag and every metric the code has must be documented there. */
class ReadmeTest {
    private static final String README = read();

    private static String read() {
        try {
            return Files.readString(Path.of("README.md"));
        } catch (java.io.IOException e) {
            throw new AssertionError("README.md not found from " + Path.of("").toAbsolutePath(), e);
        }
    }

    @Test
    void everyFlagIsDocumented() {
        for (Flag flag : Flags.all()) {
            assertTrue(README.contains("`--" + flag.name() + "`"), "README lacks --" + flag.name());
        }
    }

    @Test
    void everyProcessMetricIsDocumented() throws Exception {
        String table = Files.readString(Path.of("src/main/java/io/leakwatch/metrics/ProcessMetricTable.java"));
        Matcher m = Pattern.compile("(?:single|labelled)\\(\"([a-z_]+)\", (GAUGE|COUNTER)").matcher(table);
        int found = 0;
        while (m.find()) {
            String name = "windows_process_" + m.group(1) + (m.group(2).equals("COUNTER") ? "_total" : "");
            assertTrue(README.contains("`" + name + "`"), "README lacks " + name);
            found++;
        }
        assertTrue(found >= 15, "parsed the metric table (" + found + ")");
    }
}
