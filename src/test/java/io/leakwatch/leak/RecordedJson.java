package io.leakwatch.leak;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes a corpus run as Prometheus would answer /api/v1/query_range for it (and as OpenMetrics text for
 * {@code promtool tsdb create-blocks-from openmetrics}), to test the backtest on what users hand it.
 */
final class RecordedJson {
    private RecordedJson() {
    }

    /**
     * One answer with a matrix of the chosen metrics for every process of the recording.
     *
     * @param metrics any of private_bytes, handles, start_time, info
     */
    static void write(LeakEvaluation.Recording r, LeakCorpus.Run run, String instance, Path file, String... metrics) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
            boolean first = true;
            for (String metric : metrics) {
                for (int k = 0; k < r.size(); k++) {
                    w.write(first ? "" : ",");
                    first = false;
                    String name = r.name(k);
                    String labels = "\"instance\":\"" + instance + "\",\"job\":\"windows\",\"process\":\"" + name
                            + "\",\"process_id\":\"" + r.pid(k) + "\"";
                    if (metric.equals("info")) {
                        labels += ",\"owner\":\"svc\",\"cmdline\":\"" + r.cmdline(k).replace("\\", "\\\\").replace("\"", "\\\"")
                                + "\",\"creating_process_id\":\"1\",\"process_group_id\":\"0\"";
                    }
                    w.write("{\"metric\":{\"__name__\":\"windows_process_" + (metric.equals("start_time")
                            ? "start_time_seconds_timestamp" : metric) + "\"," + labels + "},\"values\":[");
                    double[] t = r.times(k);
                    for (int i = 0; i < t.length; i++) {
                        double v = switch (metric) {
                            case "private_bytes" -> r.privateBytes(k)[i];
                            case "handles" -> r.handles(k)[i];
                            case "start_time" -> r.starts(k)[i];
                            default -> 1;
                        };
                        w.write((i == 0 ? "" : ",") + "[" + String.format(Locale.ROOT, "%.3f", t[i]) + ",\""
                                + String.format(Locale.ROOT, metric.equals("start_time") ? "%.3f" : "%.0f", v) + "\"]");
                    }
                    w.write("]}");
                }
            }
            w.write("]}}");
        }
    }

    /**
     * OpenMetrics text of several hosts' recordings, for promtool's backfill: one family at a time (timestamps in
     * seconds, ascending per series), windows_process_info included.
     */
    static void writeOpenMetrics(List<LeakEvaluation.Recording> recordings, List<String> instances, Writer w) throws IOException {
        String[] metrics = {"windows_process_private_bytes", "windows_process_handles", "windows_process_start_time_seconds_timestamp",
                "windows_process_info"};
        for (int m = 0; m < metrics.length; m++) {
            w.write("# TYPE " + metrics[m] + " gauge\n");
            for (int h = 0; h < recordings.size(); h++) {
                LeakEvaluation.Recording r = recordings.get(h);
                for (int k = 0; k < r.size(); k++) {
                    String labels = String.format(Locale.ROOT, "instance=\"%s\",job=\"windows\",process=\"%s\",process_id=\"%s\"",
                            instances.get(h), r.name(k), r.pid(k));
                    if (m == 3) {
                        labels += ",owner=\"svc\",cmdline=\"" + r.cmdline(k).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
                    }
                    double[] t = r.times(k);
                    for (int i = 0; i < t.length; i++) {
                        double v = m == 0 ? r.privateBytes(k)[i] : m == 1 ? r.handles(k)[i] : m == 2 ? r.starts(k)[i] : 1;
                        w.write(String.format(Locale.ROOT, "%s{%s} %.3f %.3f%n", metrics[m], labels, v, t[i]));
                    }
                }
            }
        }
        w.write("# EOF\n");
    }
}
