package io.leakwatch.testing;

import io.leakwatch.Settings;
import io.leakwatch.config.UsageException;
import io.leakwatch.http.HttpLimits;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings from command-line style arguments, listening on an ephemeral loopback port. Leak
 * detection is off unless an argument names a leak flag, so a test never shares the state file.
 *
 * <p>The server stops at once: a graceful stop waits for scrapes in flight and gives each idle
 * keep-alive connection (the test's HTTP client keeps one) Jetty's one-second grace, which would
 * add a second to every test that closes an exporter. The graceful stop itself is tested on a
 * real JVM, with real signals ({@code GracefulShutdownTest}).
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
        Settings settings;
        try {
            settings = Settings.parse(all);
        } catch (UsageException e) {
            throw new AssertionError(e.getMessage(), e);
        }
        return withLimits(settings, settings.http().limits());
    }

    /** The same settings with other HTTP limits, stopping at once as above. */
    public static Settings withLimits(Settings settings, HttpLimits limits) {
        return settings.withHttp(settings.http().withLimits(new HttpLimits(limits.maxHeaderBytes(), limits.idleTimeoutMillis(),
                limits.maxRequests(), limits.maxConnections(), 0)));
    }
}
