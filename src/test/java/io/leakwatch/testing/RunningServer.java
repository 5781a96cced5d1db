package io.leakwatch.testing;

import io.leakwatch.Settings;
import io.leakwatch.backend.Backends;
import io.leakwatch.guard.ProcessGuards;
import io.leakwatch.http.ExporterServer;
import io.leakwatch.http.HttpLimits;
import io.leakwatch.metrics.Exposition;
import io.leakwatch.metrics.ScrapeCoordinator;

import java.util.List;

/** A server with explicit HTTP limits (short timeouts for tests), started on loopback, without leak detection. */
public final class RunningServer implements AutoCloseable {
    public final ScrapeCoordinator coordinator;
    public final ExporterServer server;
    public final int port;

    public RunningServer(Settings settings, HttpLimits limits) throws ExporterServer.BindFailure {
        coordinator = new ScrapeCoordinator(ProcessGuards.wrap(Backends.forThisMachine(settings.process()), settings.guards(),
                settings.process().cmdline()));
        server = new ExporterServer(settings.http().withLimits(limits), settings.web(), new Exposition(coordinator, true, List.of()),
                List.of());
        server.start();
        port = server.boundPorts().get(0);
    }

    @Override
    public void close() {
        server.close();
        coordinator.close();
    }
}
