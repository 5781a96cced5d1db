package io.leakwatch.leak;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * How Prometheus series become a backtest: which metrics are read, how a series names its process, and the two passes
 * over them (the catalogue, then the samples of each slice). Shared by range-query files and a Prometheus server.
 */
final class PrometheusSeries {
    static final String PRIVATE_BYTES = "windows_process_private_bytes";
    static final String HANDLES = "windows_process_handles";
    static final String START_TIME = "windows_process_start_time_seconds_timestamp";
    static final String INFO = "windows_process_info";
    /** Where a host's physical memory comes from, in this order (windows_exporter's collectors, node_exporter). */
    static final List<String> MEMORY = List.of("windows_cs_physical_memory_bytes", "windows_memory_physical_total_bytes",
            "node_memory_MemTotal_bytes");
    /** Process series a backtest takes: far more than one host has, and a bound on the catalogue's memory. */
    static final int MAX_PROCESSES = 50_000;
    /** Distinct windows_process_info label sets kept per process. */
    static final int MAX_IDENTITIES = 16;

    private PrometheusSeries() {
    }

    static BacktestSource.Key key(Map<String, String> labels) {
        String process = labels.get("process");
        String pid = labels.get("process_id");
        return process == null || pid == null ? null : new BacktestSource.Key(labels.getOrDefault("instance", ""), process, pid);
    }

    /** The instance without its port, so a node_exporter on another port of the same host counts. */
    static String host(String instance) {
        return instance.replaceFirst("^(.*?)(:[0-9]+)?$", "$1");
    }

    /** Builds the catalogue from every series read (first pass). */
    static final class CatalogBuilder implements PrometheusJson.Handler {
        private final Map<BacktestSource.Key, Integer> index = new LinkedHashMap<>();
        private final List<BacktestSource.Key> keys = new ArrayList<>();
        private final Map<BacktestSource.Key, Map<List<String>, Double>> infos = new HashMap<>();
        private final Map<String, double[]> memory = new HashMap<>(); // instance -> {rank of the metric, value}
        private final TreeSet<String> ignored = new TreeSet<>();
        private final double[] steps = new double[4096];
        private int stepCount;
        private double first = Double.POSITIVE_INFINITY;
        private double last = Double.NEGATIVE_INFINITY;
        private int unlabelled;
        // the series being read
        private String metric;
        private BacktestSource.Key current;
        private List<String> identity;
        private String memoryInstance;
        private double previous;

        @Override
        public boolean series(Map<String, String> labels) throws IOException {
            metric = labels.getOrDefault("__name__", "");
            previous = Double.NaN;
            memoryInstance = null;
            current = null;
            int rank = MEMORY.indexOf(metric);
            if (rank >= 0) {
                memoryInstance = labels.getOrDefault("instance", "");
                return true;
            }
            if (!metric.equals(PRIVATE_BYTES) && !metric.equals(INFO)) {
                if (!metric.equals(HANDLES) && !metric.equals(START_TIME) && ignored.size() < 20) {
                    ignored.add(metric.isEmpty() ? "(a series without a metric name)" : metric);
                }
                return false;
            }
            BacktestSource.Key key = key(labels);
            if (key == null) {
                unlabelled++;
                return false;
            }
            current = key;
            if (metric.equals(INFO)) {
                identity = List.of(labels.getOrDefault("owner", ""), labels.getOrDefault("cmdline", ""));
                Map<List<String>, Double> known = infos.computeIfAbsent(key, k -> new LinkedHashMap<>());
                if (known.size() < MAX_IDENTITIES || known.containsKey(identity)) {
                    known.putIfAbsent(identity, Double.NEGATIVE_INFINITY);
                }
                return true;
            }
            if (!index.containsKey(key)) {
                if (keys.size() >= MAX_PROCESSES) {
                    throw new PrometheusJson.BadInput("more than " + MAX_PROCESSES + " process series: narrow the query "
                            + "(a selector, fewer hosts)");
                }
                index.put(key, keys.size());
                keys.add(key);
            }
            return true;
        }

        @Override
        public void value(double t, double v) {
            if (memoryInstance != null) {
                int rank = MEMORY.indexOf(metric);
                double[] m = memory.get(memoryInstance);
                if (m == null || rank < m[0] || rank == m[0] && v > m[1]) {
                    memory.put(memoryInstance, new double[]{rank, v});
                }
                return;
            }
            if (metric.equals(INFO)) {
                Map<List<String>, Double> known = infos.get(current);
                Double from = known.get(identity);
                if (from != null && (from == Double.NEGATIVE_INFINITY || t < from)) {
                    known.put(identity, t);
                }
                return;
            }
            first = Math.min(first, t);
            last = Math.max(last, t);
            if (!Double.isNaN(previous) && t > previous && stepCount < steps.length) {
                steps[stepCount++] = t - previous;
            }
            previous = t;
        }

        /** Metrics that were in the input but are not read (for one line telling the user). */
        List<String> ignored() {
            return List.copyOf(ignored);
        }

        int unlabelled() {
            return unlabelled;
        }

        /**
         * @param resolution the step the series were queried at, or NaN to take the most common spacing of the samples
         */
        BacktestSource.Catalog build(double resolution) {
            List<List<BacktestSource.Identity>> identities = new ArrayList<>(keys.size());
            for (BacktestSource.Key k : keys) {
                List<BacktestSource.Identity> ids = new ArrayList<>();
                Map<List<String>, Double> known = infos.get(k);
                if (known != null) {
                    known.forEach((labels, from) -> ids.add(new BacktestSource.Identity(from, labels.get(0), labels.get(1))));
                    ids.sort((a, b) -> Double.compare(a.fromSeconds(), b.fromSeconds()));
                }
                identities.add(List.copyOf(ids));
            }
            Map<String, Double> hostMemory = new HashMap<>();
            Map<String, Double> byHost = new HashMap<>();
            memory.forEach((instance, m) -> {
                hostMemory.put(instance, m[1]);
                byHost.merge(host(instance), m[1], Math::max);
            });
            for (BacktestSource.Key k : keys) {
                if (!hostMemory.containsKey(k.instance()) && byHost.containsKey(host(k.instance()))) {
                    hostMemory.put(k.instance(), byHost.get(host(k.instance())));
                }
            }
            double step = resolution;
            if (Double.isNaN(step) && stepCount > 0) {
                double[] s = Arrays.copyOf(steps, stepCount);
                Arrays.sort(s);
                step = s[stepCount / 2];
            }
            return new BacktestSource.Catalog(List.copyOf(keys), identities, keys.isEmpty() ? Double.NaN : first,
                    keys.isEmpty() ? Double.NaN : last, step, Map.copyOf(hostMemory));
        }
    }

    /** Hands the samples of a slice to a sink (second pass). */
    static final class SampleReader implements PrometheusJson.Handler {
        private final Map<BacktestSource.Key, Integer> index = new HashMap<>();
        private final double from;
        private final double to;
        private final BacktestSource.Sink sink;
        private int process;
        private BacktestSource.Metric metric;

        SampleReader(BacktestSource.Catalog catalog, double from, double to, BacktestSource.Sink sink) {
            for (int i = 0; i < catalog.processes().size(); i++) {
                index.put(catalog.processes().get(i), i);
            }
            this.from = from;
            this.to = to;
            this.sink = sink;
        }

        @Override
        public boolean series(Map<String, String> labels) {
            metric = switch (labels.getOrDefault("__name__", "")) {
                case PRIVATE_BYTES -> BacktestSource.Metric.PRIVATE_BYTES;
                case HANDLES -> BacktestSource.Metric.HANDLES;
                case START_TIME -> BacktestSource.Metric.START_TIME;
                default -> null;
            };
            BacktestSource.Key key = metric == null ? null : key(labels);
            Integer i = key == null ? null : index.get(key);
            process = i == null ? -1 : i;
            return process >= 0;
        }

        @Override
        public void value(double t, double v) {
            if (t > from && t <= to) {
                sink.sample(process, metric, t, v);
            }
        }
    }
}
