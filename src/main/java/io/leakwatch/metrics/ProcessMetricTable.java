package io.leakwatch.metrics;

import io.leakwatch.model.ProcessSample;

import java.util.List;

import static io.leakwatch.metrics.ProcessMetric.labelled;
import static io.leakwatch.metrics.ProcessMetric.single;
import static io.leakwatch.metrics.ProcessMetric.variant;
import static io.prometheus.client.Collector.Type.COUNTER;
import static io.prometheus.client.Collector.Type.GAUGE;

/**
 * The whole sample-to-metric mapping in one table, as windows_exporter keeps it. Names, types,
 * labels and units follow windows_exporter's process collector; HELP says where each value comes
 * from on both operating systems.
 */
final class ProcessMetricTable {
    static final String PREFIX = "windows_process_";

    static final List<ProcessMetric> METRICS = List.of(
            single("start_time_seconds_timestamp", GAUGE,
                    "Time the process started, seconds since the Unix epoch (Windows: CreateTime; Linux: btime + stat starttime).",
                    s -> s.info().startTimeSeconds()),
            labelled("cpu_time", COUNTER,
                    "CPU time used by the process, seconds (Windows: UserTime/KernelTime; Linux: stat utime/stime).",
                    "mode",
                    variant("privileged", ProcessSample::cpuPrivilegedSeconds),
                    variant("user", ProcessSample::cpuUserSeconds)),
            single("handles", GAUGE,
                    "Open handles (Windows: HandleCount; Linux: open file descriptors).",
                    ProcessSample::handles),
            labelled("io_bytes", COUNTER,
                    "Bytes transferred by I/O calls (Windows: Read/Write/OtherTransferCount; Linux: io rchar/wchar, no other mode).",
                    "mode",
                    variant("other", ProcessSample::ioOtherBytes),
                    variant("read", ProcessSample::ioReadBytes),
                    variant("write", ProcessSample::ioWriteBytes)),
            labelled("io_operations", COUNTER,
                    "I/O operations (Windows: Read/Write/OtherOperationCount; Linux: io syscr/syscw, no other mode).",
                    "mode",
                    variant("other", ProcessSample::ioOtherOperations),
                    variant("read", ProcessSample::ioReadOperations),
                    variant("write", ProcessSample::ioWriteOperations)),
            single("page_faults", COUNTER,
                    "Page faults (Windows: PageFaultCount; Linux: stat minflt + majflt).",
                    ProcessSample::pageFaults),
            single("page_file_bytes", GAUGE,
                    "Bytes of paging file in use (Windows: PagefileUsage; Linux: status VmSwap).",
                    ProcessSample::pageFileBytes),
            labelled("pool_bytes", GAUGE,
                    "Kernel pool bytes charged to the process (Windows only: QuotaPagedPoolUsage/QuotaNonPagedPoolUsage).",
                    "pool",
                    variant("nonpaged", ProcessSample::poolNonpagedBytes),
                    variant("paged", ProcessSample::poolPagedBytes)),
            single("priority_base", GAUGE,
                    "Base priority (Windows: BasePriority; Linux: stat priority).",
                    ProcessSample::priorityBase),
            single("private_bytes", GAUGE,
                    "Private committed bytes, the leak signal (Windows: PrivatePageCount; Linux: status RssAnon + VmSwap).",
                    ProcessSample::privateBytes),
            single("threads", GAUGE,
                    "Threads (Windows: NumberOfThreads; Linux: stat num_threads).",
                    ProcessSample::threads),
            single("virtual_bytes", GAUGE,
                    "Virtual address space in use, bytes (Windows: VirtualSize; Linux: stat vsize).",
                    ProcessSample::virtualBytes),
            single("working_set_private_bytes", GAUGE,
                    "Private resident bytes, Task Manager's Memory column (Windows: WorkingSetPrivateSize; Linux: status RssAnon).",
                    ProcessSample::workingSetPrivateBytes),
            single("working_set_peak_bytes", GAUGE,
                    "Peak working set, bytes (Windows: PeakWorkingSetSize; Linux: status VmHWM).",
                    ProcessSample::workingSetPeakBytes),
            single("working_set_bytes", GAUGE,
                    "Resident bytes including shared pages (Windows: WorkingSetSize; Linux: status VmRSS).",
                    ProcessSample::workingSetBytes));

    static final String INFO_NAME = PREFIX + "info";
    static final String INFO_HELP = "Process identity, always 1: owner (account\\domain on Windows, as windows_exporter "
            + "writes it; user on Linux), cmdline, creating process and process group (Windows: ProcessGroupId; Linux: pgrp).";
    static final List<String> INFO_LABELS = List.of(
            "process", "process_id", "creating_process_id", "process_group_id", "owner", "cmdline");

    private ProcessMetricTable() {
    }
}
