package io.leakwatch.testing;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.Settings;
import io.leakwatch.config.UsageException;

import java.util.ArrayList;
import java.util.List;

/** Settings from command-line style arguments, listening on an ephemeral loopback port. */
public final class TestSettings {
    private TestSettings() {
    }

    public static Settings of(String... args) {
        List<String> all = new ArrayList<>();
        all.add("--web.listen-address=127.0.0.1:0");
        all.addAll(List.of(args));
        try {
            return Settings.load(CommandLine.parse(all).values());
        } catch (UsageException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
