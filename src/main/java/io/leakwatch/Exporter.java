package io.leakwatch;

import io.leakwatch.backend.Backends;
import io.leakwatch.config.Settings;
import io.leakwatch.http.ExporterServer;
import io.leakwatch.http.ExtraEndpoints;
import io.leakwatch.leak.LeakSettings;
import io.leakwatch.leak.LeakWatch;
import io.leakwatch.metrics.Exposition;
import io.leakwatch.metrics.ExtraFamilies;
import io.leakwatch.metrics.ScrapeCoordinator;
import io.leakwatch.model.ProcessBackend;

import java.util.ArrayList;
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
    private final LeakWatch leaks; // null when leak detection is off

    private Exporter(Settings settings, ProcessBackend backend, ScrapeCoordinator coordinator, ExporterServer server,
                     LeakWatch leaks) {
        this.settings = settings;
        this.backend = backend;
        this.coordinator = coordinator;
        this.server = server;
        this.leaks = leaks;
    }

    /**
     * @throws IllegalArgumentException    no backend for this machine or its settings (one-line reason)
     * @throws ExporterServer.BindFailure  a listen address cannot be bound
     */
    public static Exporter start(Settings settings) throws ExporterServer.BindFailure {
        return start(settings, List.of());
    }

    public static Exporter start(Settings settings, List<ExtraEndpoints> extras) throws ExporterServer.BindFailure {
        return start(settings, null, extras);
    }

    /** With leak detection when {@code leak} is enabled (its sampler, metrics, /leaks). */
    public static Exporter start(Settings settings, LeakSettings leak) throws ExporterServer.BindFailure {
        return start(settings, leak, List.of());
    }

    private static Exporter start(Settings settings, LeakSettings leak, List<ExtraEndpoints> extras)
            throws ExporterServer.BindFailure {
        ProcessBackend osBackend = Backends.forThisMachine(settings);
        ProcessBackend backend;
        try {
            backend = io.leakwatch.guard.ProcessGuards.wrap(osBackend, settings);
        } catch (IllegalArgumentException e) {
            osBackend.close(); // a bad guard flag must not leave the native buffer behind
            throw e;
        }
        ScrapeCoordinator coordinator = new ScrapeCoordinator(backend, settings.processFilter());
        LeakWatch leaks = leak != null && leak.enabled() ? LeakWatch.start(leak, coordinator) : null;
        List<ExtraFamilies> families = leaks == null ? List.of() : List.of(leaks.metrics());
        List<ExtraEndpoints> endpoints = new ArrayList<>(extras);
        if (leaks != null) {
            endpoints.add(leaks.endpoints());
        }
        ExporterServer server;
        try {
            server = new ExporterServer(settings,
                    new Exposition(coordinator, !settings.disableExporterMetrics(), families), endpoints);
        } catch (IllegalArgumentException e) {
            // --web.config.file unusable: stop the sampler and the collector thread too
            if (leaks != null) {
                leaks.discard();
            }
            coordinator.close();
            throw e;
        }
        try {
            server.start();
        } catch (ExporterServer.BindFailure e) {
            if (leaks != null) {
                leaks.discard();
            }
            coordinator.close();
            throw e;
        }
        return new Exporter(settings, backend, coordinator, server, leaks);
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
        if (leaks != null) {
            leaks.close(); // stops sampling, saves the leak history
        }
        coordinator.close(); // also closes the backend and its native buffers
    }
}
