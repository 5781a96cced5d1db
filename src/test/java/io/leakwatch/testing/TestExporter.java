package io.leakwatch.testing;

import io.leakwatch.Exporter;
import io.leakwatch.Settings;
import io.leakwatch.http.ExporterServer;
import io.leakwatch.http.HttpLimits;

import java.io.IOException;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * leakwatch in the test's JVM, wired as {@code Main} wires it ({@link Exporter#start}), on an
 * ephemeral loopback port, with {@link TestSettings}: leak detection off unless asked for, and a
 * stop that does not wait. The fast tier's one way to start an exporter; {@link ChildExporter} is
 * for what needs a JVM of its own (signals, exit codes, the log of a real start).
 */
public final class TestExporter implements AutoCloseable {
    public final Exporter exporter;
    public final int port;

    private TestExporter(Exporter exporter) {
        this.exporter = exporter;
        this.port = exporter.ports().get(0);
    }

    /** @param args command-line flags, as {@link TestSettings#of} takes them */
    public static TestExporter start(String... args) throws ExporterServer.BindFailure {
        return new TestExporter(Exporter.start(TestSettings.of(args)));
    }

    /** With other HTTP limits (short idle timeouts, few connections). */
    public static TestExporter start(HttpLimits limits, String... args) throws ExporterServer.BindFailure {
        return new TestExporter(Exporter.start(TestSettings.withLimits(TestSettings.of(args), limits)));
    }

    public static TestExporter start(Settings settings) throws ExporterServer.BindFailure {
        return new TestExporter(Exporter.start(TestSettings.withLimits(settings, settings.http().limits())));
    }

    /** GET over plain HTTP; headers as name, value pairs. */
    public HttpResponse<byte[]> get(String pathAndQuery, String... headers) {
        return Http.get(port, pathAndQuery, headers);
    }

    /** The body of a GET that must answer 200. */
    public String body(String pathAndQuery, String... headers) {
        HttpResponse<byte[]> r = get(pathAndQuery, headers);
        String body = Http.body(r);
        assertEquals(200, r.statusCode(), pathAndQuery + ": " + body);
        return body;
    }

    /** The body of GET /metrics, which must answer 200. */
    public String scrape() {
        return body("/metrics");
    }

    /** A hand-written request ({@link RawHttp#exchange}): the whole raw response. */
    public String raw(String request) throws IOException {
        return RawHttp.exchange(port, request);
    }

    /** {@code https://127.0.0.1:<port><path>}. */
    public String https(String path) {
        return "https://127.0.0.1:" + port + path;
    }

    @Override
    public void close() {
        exporter.close();
    }
}
