package io.leakwatch.docs;

import io.leakwatch.config.Flag;
import io.leakwatch.config.Flags;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/flags.md is generated from the flag table (the same one behind --help and the config
 * file), so it cannot drift: this test fails when the page is stale. Regenerate with
 * {@code mvn test -Dtest=FlagsPageTest -Dleakwatch.docs.update=true}.
 */
class FlagsPageTest {
    static final Path PAGE = Path.of("docs/flags.md");

    static String render() {
        StringBuilder b = new StringBuilder();
        b.append("""
                # Flags

                <!-- Generated from the flag table in src/main/java/io/leakwatch/config/Flags.java by FlagsPageTest;
                     do not edit by hand: mvn test -Dtest=FlagsPageTest -Dleakwatch.docs.update=true -->

                Flags are windows_exporter's, written `--name=value` or `--name value`; booleans are `--name`,
                `--no-name` or `--name=true|false`. Every flag is also a key of the config file
                (`--collector.process.include` is `collector.process.include`, or nested as
                `collector: {process: {include: ...}}`). Precedence: the command line, then `--config.file`,
                then the defaults below. `leakwatch --help` prints the same list.

                | flag | default | meaning |
                |---|---|---|
                """);
        for (Flag flag : Flags.all()) {
            String name = "`--" + flag.name() + "`";
            String def = flag.defaultText().isEmpty() ? "(empty)" : "`" + flag.defaultText() + "`";
            String help = flag.help() + (flag.kind() == Flag.Kind.BOOLEAN ? " Turn off with `--no-" + flag.name() + "`." : "");
            b.append("| ").append(cell(name)).append(" | ").append(cell(def)).append(" | ").append(cell(help)).append(" |\n");
        }
        b.append("""

                Exit codes: `0` normal stop; `2` a mistake in the flags or the config, or an address that cannot
                be bound (one line on stderr naming the flag or key); `3` out of memory when started by the
                launcher `src/main/dist/leakwatch` (its `-XX:+ExitOnOutOfMemoryError` stops the JVM at once, so a
                service manager restarts it); `1` anything else unexpected.

                ## Config file

                A windows_exporter YAML config works as it is:

                ```yaml
                collectors:
                  enabled: process
                collector:
                  process:
                    include: "firefox.+"
                web:
                  listen-address: ":9182"
                ```

                HOCON (`.conf`) and JSON (`.json`) files use the same keys.
                """);
        return b.toString();
    }

    /** Markdown table cells: a literal | would end the cell. */
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    @Test
    void theFlagsPageMatchesTheFlagTable() throws IOException {
        String expected = render();
        if (Boolean.getBoolean("leakwatch.docs.update")) {
            Files.writeString(PAGE, expected, StandardCharsets.UTF_8);
            return;
        }
        String actual = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "";
        assertEquals(expected, actual, "docs/flags.md is stale: regenerate it with "
                + "mvn test -Dtest=FlagsPageTest -Dleakwatch.docs.update=true");
    }
}
