package io.leakwatch.metrics;

import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;
import io.prometheus.client.Collector;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Streams the windows_process_* families of a snapshot straight to the response, byte for byte
 * what simpleclient's TextFormat writes for {@link ProcessFamilies#of} (text 0.0.4 or OpenMetrics
 * 1.0, minus OpenMetrics' closing "# EOF"), without building a Sample object, a label list or a
 * value string per series: with thousands of processes that garbage was most of a scrape's cost.
 * Families with no series are left out, as ProcessFamilies does. Not thread-safe: one instance per scrape.
 */
final class ProcessFamiliesWriter {
    private final GoDoubleFormat numbers = new GoDoubleFormat();
    private final char[] longDigits = new char[20];
    private static final Family[] FAMILIES = families();
    private static final String INFO_HEADER_004 =
            header004(ProcessMetricTable.INFO_NAME, Collector.Type.GAUGE, ProcessMetricTable.INFO_HELP);
    private static final String INFO_HEADER_OPEN_METRICS =
            headerOpenMetrics(ProcessMetricTable.INFO_NAME, Collector.Type.GAUGE, ProcessMetricTable.INFO_HELP);

    /** Header lines and the constant parts of every series line of one family, built once. */
    private static final class Family {
        final ProcessMetric metric;
        final String header004;
        final String headerOpenMetrics;
        final String sampleNameBrace;      // "windows_process_cpu_time_total{process=\""
        final String[] labelTail004;        // per variant: "\",mode=\"user\",} " (after the pid)
        final String[] labelTailOpenMetrics; // per variant: "\",mode=\"user\"} "

        Family(ProcessMetric metric) {
            this.metric = metric;
            String familyName = ProcessMetricTable.PREFIX + metric.name();
            boolean counter = metric.type() == Collector.Type.COUNTER;
            String sampleName = counter ? familyName + "_total" : familyName;
            this.header004 = header004(familyName, metric.type(), metric.help());
            this.headerOpenMetrics = headerOpenMetrics(familyName, metric.type(), metric.help());
            this.sampleNameBrace = sampleName + "{process=\"";
            int n = metric.variants().size();
            this.labelTail004 = new String[n];
            this.labelTailOpenMetrics = new String[n];
            for (int v = 0; v < n; v++) {
                String labelValue = metric.variants().get(v).labelValue();
                if (labelValue == null) {
                    labelTail004[v] = "\",} ";
                    labelTailOpenMetrics[v] = "\"} ";
                } else {
                    String label = "\"," + metric.variantLabel() + "=\"" + escapeLabelValue(labelValue);
                    labelTail004[v] = label + "\",} ";
                    labelTailOpenMetrics[v] = label + "\"} ";
                }
            }
        }
    }

    /** Cheap: the constant text is built once per class; an instance holds only scratch buffers. */
    ProcessFamiliesWriter() {
    }

    private static Family[] families() {
        List<ProcessMetric> metrics = ProcessMetricTable.METRICS;
        Family[] out = new Family[metrics.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Family(metrics.get(i));
        }
        return out;
    }

    void write(Writer out, ProcessSnapshot snapshot, boolean openMetrics) throws IOException {
        List<ProcessSample> processes = snapshot.processes();
        writeInfo(out, processes, openMetrics);
        for (Family family : FAMILIES) {
            if (hasAnySeries(family.metric, processes)) {
                writeFamily(out, family, processes, openMetrics);
            }
        }
    }

    private void writeInfo(Writer out, List<ProcessSample> processes, boolean openMetrics) throws IOException {
        out.write(openMetrics ? INFO_HEADER_OPEN_METRICS : INFO_HEADER_004);
        String end = openMetrics ? "\"} 1.0\n" : "\",} 1.0\n";
        for (int p = 0, size = processes.size(); p < size; p++) {
            ProcessInfo i = processes.get(p).info();
            out.write(ProcessMetricTable.INFO_NAME);
            out.write("{process=\"");
            writeEscapedLabelValue(out, i.name());
            out.write("\",process_id=\"");
            writeEscapedLabelValue(out, i.pidLabel());
            out.write("\",creating_process_id=\"");
            writeLong(out, i.parentPid());
            out.write("\",process_group_id=\"");
            writeLong(out, i.processGroupId());
            out.write("\",owner=\"");
            writeEscapedLabelValue(out, i.owner());
            out.write("\",cmdline=\"");
            writeEscapedLabelValue(out, i.cmdline());
            out.write(end);
        }
    }

    private void writeFamily(Writer out, Family family, List<ProcessSample> processes, boolean openMetrics)
            throws IOException {
        out.write(openMetrics ? family.headerOpenMetrics : family.header004);
        String[] tails = openMetrics ? family.labelTailOpenMetrics : family.labelTail004;
        List<ProcessMetric.Variant> variants = family.metric.variants();
        for (int p = 0, size = processes.size(); p < size; p++) {
            ProcessSample sample = processes.get(p);
            for (int v = 0; v < tails.length; v++) {
                double value = variants.get(v).value().applyAsDouble(sample);
                if (!ProcessSample.isPresent(value)) {
                    continue;
                }
                ProcessInfo i = sample.info();
                out.write(family.sampleNameBrace);
                writeEscapedLabelValue(out, i.name());
                out.write("\",process_id=\"");
                writeEscapedLabelValue(out, i.pidLabel());
                out.write(tails[v]);
                numbers.write(out, value);
                out.write('\n');
            }
        }
    }

    private static boolean hasAnySeries(ProcessMetric metric, List<ProcessSample> processes) {
        for (ProcessMetric.Variant variant : metric.variants()) {
            for (int p = 0, size = processes.size(); p < size; p++) {
                if (ProcessSample.isPresent(variant.value().applyAsDouble(processes.get(p)))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Label values as TextFormat writes them (Long.toString, no escaping needed for digits). */
    private void writeLong(Writer out, long value) throws IOException {
        if (value < 0) {
            out.write(Long.toString(value));
            return;
        }
        int start = longDigits.length;
        do {
            longDigits[--start] = (char) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        out.write(longDigits, start, longDigits.length - start);
    }

    /** TextFormat.writeEscapedLabelValue: backslash, double quote and newline are escaped. */
    static void writeEscapedLabelValue(Writer out, String s) throws IOException {
        int from = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            String escaped = c == '\\' ? "\\\\" : c == '"' ? "\\\"" : c == '\n' ? "\\n" : null;
            if (escaped != null) {
                out.write(s, from, i - from);
                out.write(escaped);
                from = i + 1;
            }
        }
        out.write(s, from, s.length() - from);
    }

    private static String escapeLabelValue(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** "# HELP name_total help\n# TYPE name_total counter\n" (text 0.0.4 names counters with _total). */
    private static String header004(String familyName, Collector.Type type, String help) {
        String name = type == Collector.Type.COUNTER ? familyName + "_total" : familyName;
        return "# HELP " + name + " " + escapeHelp(help) + "\n# TYPE " + name + " " + typeName(type) + "\n";
    }

    /** "# TYPE name counter\n# HELP name help\n" (OpenMetrics: family name, help escaped like a label). */
    private static String headerOpenMetrics(String familyName, Collector.Type type, String help) {
        return "# TYPE " + familyName + " " + typeName(type) + "\n# HELP " + familyName + " "
                + escapeLabelValue(help) + "\n";
    }

    private static String typeName(Collector.Type type) {
        switch (type) {
            case COUNTER:
                return "counter";
            case GAUGE:
                return "gauge";
            default:
                throw new IllegalArgumentException("process families are counters or gauges, not " + type);
        }
    }
}
