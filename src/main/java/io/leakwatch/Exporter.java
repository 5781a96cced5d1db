package io.leakwatch;

import io.leakwatch.backend.Backends;
import io.leakwatch.guard.ProcessGuards;
import io.leakwatch.http.ExporterServer;
import io.leakwatch.leak.LeakWatch;
import io.leakwatch.metrics.Exposition;
import io.leakwatch.http.ExtraEndpoint;
import io.leakwatch.metrics.ExtraFamilies;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.leakwatch.model.ProcessBackend;

import java.util.ArrayList;
import java.util.List;

/**
 * A running leakwatch: backend, collection coordinator, leak detection and HTTP server, started
 * together and closed together. Main runs one; tests start and stop their own.
 */
public final class Exporter implements AutoCloseable {
    private final ProcessBackend backend;
    private final ScrapeCoordinator coordinator;
    private final ExporterServer server;
    private final LeakWatch leaks; // null when leak detection is off

    private Exporter(ProcessBackend backend, ScrapeCoordinator coordinator, ExporterServer server, LeakWatch leaks) {
        this.backend = backend;
        this.coordinator = coordinator;
        this.server = server;
        this.leaks = leaks;
    }

    /**
     * @throws IllegalArgumentException    no backend for this machine, or its TLS material unusable (one-line reason)
     * @throws ExporterServer.BindFailure  a listen address cannot be bound
     */
    public static Exporter start(Settings settings) throws ExporterServer.BindFailure {
        ExporterServer.checkBindable(settings.http().listenAddresses()); // first: a wrong address is the only line
        ProcessBackend backend = ProcessGuards.wrap(Backends.forThisMachine(settings.process()), settings.guards(),
                settings.process().cmdline());
        ScrapeCoordinator coordinator = new ScrapeCoordinator(backend);
        LeakWatch leaks;
        try {
            leaks = settings.leak().enabled() ? LeakWatch.start(settings.leak(), coordinator,
                    Backends.physicalMemoryBytes(settings.process())) : null;
        } catch (RuntimeException e) { // another leakwatch uses the state file
            coordinator.close();
            throw e;
        }
        List<ExtraFamilies> families = leaks == null ? List.of() : List.of(leaks.metrics());
        List<ExtraEndpoint> endpoints = new ArrayList<>();
        if (leaks != null) {
            endpoints.add(new ExtraEndpoint("/leaks", "text/html; charset=utf-8",
                    "leak suspects: processes whose memory or handles keep growing, across restarts too, with charts and next steps",
                    out -> out.write(leaks.html())));
            endpoints.add(new ExtraEndpoint("/leaks.json", "application/json", "the same as JSON", out -> out.write(leaks.json())));
        }
        if (settings.self().debugEndpoints()) {
            endpoints.addAll(DebugViews.endpoints());
        }
        try {
            ExporterServer server = new ExporterServer(settings.http(), settings.web(),
                    new Exposition(coordinator, !settings.http().disableExporterMetrics(), families), endpoints);
            server.start();
            return new Exporter(backend, coordinator, server, leaks);
        } catch (ExporterServer.BindFailure | RuntimeException e) {
            // a start that failed must not save the leak history over the last good one
            if (leaks != null) {
                leaks.discard();
            }
            coordinator.close(); // also closes the backend and its native buffers
            throw e;
        }
    }

    public ProcessBackend backend() {
        return backend;
    }

    /** The HTTP server (tests look at its connections). */
    public ExporterServer server() {
        return server;
    }

    /** Ports actually bound, in --web.listen-address order (useful with port 0). */
    public List<Integer> ports() {
        return server.boundPorts();
    }

    @Override
    public void close() {
        server.close();
        if (leaks != null) {
            leaks.close(); // stops sampling, saves the leak history
        }
        coordinator.close(); // also closes the backend and its native buffers
    }
}
