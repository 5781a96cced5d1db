package io.leakwatch.metrics;

import io.prometheus.client.Collector.MetricFamilySamples;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * The exporter's own footprint with the names Prometheus client libraries use (process_*),
 * so "does the exporter leak?" has an answer. Turned off by --web.disable-exporter-metrics.
 */
final class ExporterProcessMetrics {
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    List<MetricFamilySamples> collect() {
        List<MetricFamilySamples> out = new ArrayList<>();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            long cpuNanos = sun.getProcessCpuTime();
            if (cpuNanos >= 0) {
                out.add(SelfMetrics.counter("process_cpu_seconds", "CPU seconds used by the exporter.", cpuNanos / 1e9));
            }
            out.add(SelfMetrics.gauge("process_virtual_memory_bytes", "Virtual memory committed by the exporter, bytes.",
                    List.of(), List.of(), sun.getCommittedVirtualMemorySize()));
        }
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            out.add(SelfMetrics.gauge("process_open_fds", "File descriptors the exporter has open.",
                    List.of(), List.of(), unix.getOpenFileDescriptorCount()));
            out.add(SelfMetrics.gauge("process_max_fds", "File descriptor limit of the exporter.",
                    List.of(), List.of(), unix.getMaxFileDescriptorCount()));
        }
        double rss = SelfResidentMemory.bytes();
        if (rss >= 0) {
            out.add(SelfMetrics.gauge("process_resident_memory_bytes", "Resident memory of the exporter, bytes.",
                    List.of(), List.of(), rss));
        }
        out.add(SelfMetrics.gauge("process_start_time_seconds", "Start time of the exporter, seconds since the Unix epoch.",
                List.of(), List.of(), runtime.getStartTime() / 1000.0));
        out.add(new MetricFamilySamples("jvm_memory_bytes_used", io.prometheus.client.Collector.Type.GAUGE,
                "JVM memory in use by area, bytes.", List.of(
                new MetricFamilySamples.Sample("jvm_memory_bytes_used", List.of("area"), List.of("heap"),
                        memory.getHeapMemoryUsage().getUsed()),
                new MetricFamilySamples.Sample("jvm_memory_bytes_used", List.of("area"), List.of("nonheap"),
                        memory.getNonHeapMemoryUsage().getUsed()))));
        out.add(SelfMetrics.gauge("jvm_threads_current", "Live JVM threads of the exporter.",
                List.of(), List.of(), threads.getThreadCount()));
        return out;
    }
}
