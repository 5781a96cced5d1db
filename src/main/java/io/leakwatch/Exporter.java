package io.leakwatch;

import io.leakwatch.backend.Backends;
import io.leakwatch.config.Settings;
import io.leakwatch.http.ExporterServer;
import io.leakwatch.http.ExtraEndpoints;
import io.leakwatch.metrics.Exposition;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.leakwatch.model.ProcessBackend;

import java.util.List;

/**
 * A running leakwatch: backend, collection coordinator and HTTP server, started together and
 * closed together. Main runs one; tests start and stop their own.
 */
public final class Exporter implements AutoCloseable {
    private final Settings settings;
    private final ProcessBackend backend;
    private final ScrapeCoordinator coordinator;
    private final ExporterServer server;

    private Exporter(Settings settings, ProcessBackend backend, ScrapeCoordinator coordinator, ExporterServer server) {
        this.settings = settings;
        this.backend = backend;
        this.coordinator = coordinator;
        this.server = server;
    }

    /**
     * @throws IllegalArgumentException    no backend for this machine or its settings (one-line reason)
     * @throws ExporterServer.BindFailure  a listen address cannot be bound
     */
    public static Exporter start(Settings settings) throws ExporterServer.BindFailure {
        return start(settings, List.of());
    }

    public static Exporter start(Settings settings, List<ExtraEndpoints> extras) throws ExporterServer.BindFailure {
        ProcessBackend osBackend = Backends.forThisMachine(settings);
        ProcessBackend backend;
        try {
            backend = io.leakwatch.guard.ProcessGuards.wrap(osBackend, settings);
        } catch (IllegalArgumentException e) {
            osBackend.close(); // a bad guard flag must not leave the native buffer behind
            throw e;
        }
        ScrapeCoordinator coordinator = new ScrapeCoordinator(backend, settings.processFilter());
        ExporterServer server;
        try {
            server = new ExporterServer(settings, new Exposition(coordinator, !settings.disableExporterMetrics()), extras);
        } catch (IllegalArgumentException e) {
            coordinator.close(); // --web.config.file unusable: stop the collector thread too
            throw e;
        }
        try {
            server.start();
        } catch (ExporterServer.BindFailure e) {
            coordinator.close();
            throw e;
        }
        return new Exporter(settings, backend, coordinator, server);
    }

    public Settings settings() {
        return settings;
    }

    public ProcessBackend backend() {
        return backend;
    }

    public ScrapeCoordinator coordinator() {
        return coordinator;
    }

    /** Ports actually bound, in --web.listen-address order (useful with port 0). */
    public List<Integer> ports() {
        return server.boundPorts();
    }

    @Override
    public void close() {
        server.close();
        coordinator.close(); // also closes the backend and its native buffers
    }
}
