package io.leakwatch.testing;

import io.leakwatch.Settings;
import io.leakwatch.config.UsageException;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings from command-line style arguments, listening on an ephemeral loopback port. Leak
 * detection is off unless an argument names a leak flag, so a test never shares the state file.
 */
public final class TestSettings {
    private TestSettings() {
    }

    public static Settings of(String... args) {
        List<String> all = new ArrayList<>();
        all.add("--web.listen-address=127.0.0.1:0");
        List<String> given = List.of(args);
        if (given.stream().noneMatch(a -> a.startsWith("--leak.") || a.startsWith("--no-leak."))) {
            all.add("--no-leak.enabled");
        }
        all.addAll(given);
        try {
            return Settings.parse(all);
        } catch (UsageException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
