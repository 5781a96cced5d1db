package io.leakwatch.leak;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A backtest's samples from files holding what Prometheus' {@code /api/v1/query_range} answered (a {@code matrix} of
 * windows_process_private_bytes, and optionally windows_process_handles, windows_process_start_time_seconds_timestamp,
 * windows_process_info and a host memory metric; one query or several, in one file or several). The files are read as
 * streams, once for the catalogue and once per slice, so their size never turns into heap.
 */
final class RangeQueryFiles implements BacktestSource {
    private final List<Path> files;
    private List<String> ignored = List.of();
    private int unlabelled;

    RangeQueryFiles(List<Path> files) {
        this.files = List.copyOf(files);
    }

    @Override
    public Catalog catalog() throws IOException {
        PrometheusSeries.CatalogBuilder builder = new PrometheusSeries.CatalogBuilder();
        for (Path f : files) {
            read(f, builder);
        }
        ignored = builder.ignored();
        unlabelled = builder.unlabelled();
        return builder.build(Double.NaN);
    }

    @Override
    public void samples(Catalog catalog, double from, double to, Sink sink) throws IOException {
        PrometheusSeries.SampleReader reader = new PrometheusSeries.SampleReader(catalog, from, to, sink);
        for (Path f : files) {
            read(f, reader);
        }
    }

    /** Metrics in the files that a backtest does not read. */
    List<String> ignored() {
        return ignored;
    }

    /** Series without a process or process_id label, skipped. */
    int unlabelled() {
        return unlabelled;
    }

    private static void read(Path file, PrometheusJson.Handler handler) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            PrometheusJson.read(in, file.toString(), handler);
        } catch (NoSuchFileException e) {
            throw new PrometheusJson.BadInput(file + ": no such file");
        } catch (PrometheusJson.BadInput e) {
            throw e;
        } catch (IOException e) {
            throw new PrometheusJson.BadInput(file + ": cannot read it (" + e.getMessage() + ")");
        }
    }
}
