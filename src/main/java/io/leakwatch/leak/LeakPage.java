package io.leakwatch.leak;

import io.leakwatch.config.LeakSettings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** /leaks: the ranking, and for each suspect its floor chart (server-side SVG), verdict, reasons and next steps. */
final class LeakPage {
    private static final int W = 720;
    private static final int H = 240;
    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 16;
    private static final int BOTTOM = 32;

    private LeakPage() {
    }

    static String html(LeakReport report, String osName) {
        LeakSettings s = report.settings();
        List<LeakVerdict> suspects = report.suspects();
        StringBuilder b = new StringBuilder(16 * 1024);
        b.append("""
                <!DOCTYPE html>
                <html lang="en">
                <head><meta charset="utf-8"><title>leakwatch: leaks</title>
                <style>
                body{font-family:sans-serif;max-width:62em;margin:1.5em auto;line-height:1.45;padding:0 1em}
                table{border-collapse:collapse;width:100%;font-size:.9em}th,td{padding:.25em .5em;border-bottom:1px solid #ddd;text-align:left}
                td.n,th.n{text-align:right}tr.suspect{background:#fde2e1;font-weight:bold}
                section.suspect{border:2px solid #c0392b;border-radius:6px;padding:.5em 1em;margin:1em 0}
                code{background:#eee;padding:0 .2em;word-break:break-all}.why{color:#333}.muted{color:#777}
                svg.chart{background:#fafafa;border:1px solid #ccc}
                </style></head>
                <body>
                <p><a href="./">leakwatch</a> / leaks (<a href="leaks.json">JSON</a>)</p>
                <h1>Leak suspects</h1>
                """);
        b.append("<p id=\"summary\">").append(suspects.size()).append(suspects.size() == 1 ? " suspect" : " suspects")
                .append(" among ").append(report.processes().size()).append(" tracked processes. Window ")
                .append(Human.duration(s.windowSeconds())).append(" (").append(LeakSettings.BUCKETS).append(" buckets of ")
                .append(Human.duration(s.bucketSeconds())).append("), sampled every ").append(Human.duration(s.sampleIntervalSeconds()))
                .append("; a suspect's floor grows at least ").append(esc(Human.bytesPerDay(s.minGrowthBytesPerSecond())))
                .append(" or ").append(esc(Human.countPerDay(s.minHandleGrowthPerSecond()))).append(" handles. ");
        if (!Double.isNaN(report.generatedAtSeconds())) {
            b.append("<span class=\"muted\">Judged at ").append(Instant.ofEpochMilli((long) (report.generatedAtSeconds() * 1000)))
                    .append(".</span>");
        }
        b.append("</p>\n");
        if (report.untrackedProcesses() > 0) {
            b.append("<p><strong>").append(report.untrackedProcesses()).append(" processes are not tracked</strong>: the cap of ")
                    .append(LeakDetector.MAX_PROCESSES).append(" was reached (narrow --collector.process.include).</p>\n");
        }
        for (LeakVerdict v : suspects) {
            suspectSection(b, v, report, osName);
        }
        ranking(b, report.listed());
        if (!report.exitedSuspects().isEmpty()) {
            b.append("<h2>Suspects that exited</h2>\n<ul>\n");
            for (LeakVerdict v : report.exitedSuspects()) {
                b.append("<li>").append(esc(v.info().name())).append(" (pid ").append(v.info().pidLabel()).append("): ")
                        .append(esc(v.privateBytes().suspect() ? v.privateBytes().why() : v.handles().why())).append("</li>\n");
            }
            b.append("</ul>\n");
        }
        b.append("""
                <h2>How the verdict is made</h2>
                <p>Every sample (each scrape and the background sampler) lowers the <em>floor</em> of its bucket: the lowest
                private bytes (and handles) seen in it. A garbage-collector or cache sawtooth shorter than a bucket disappears;
                memory that is never given back stays. The trend is the Theil&ndash;Sen slope of the floors (the median of the slopes
                between every pair of buckets, so one spike does not move it). A process is a suspect only when: the history covers at
                least half the window, the floor grows at least the threshold, it was higher later in at least 80% of bucket pairs,
                and each quarter of the history rose by at least a quarter of what the trend predicts (a one-time step or a warm-up
                that levelled off fails this). A restarted process starts a new history.</p>
                </body>
                </html>
                """);
        return b.toString();
    }

    private static void suspectSection(StringBuilder b, LeakVerdict v, LeakReport report, String osName) {
        String pid = v.info().pidLabel();
        b.append("<section class=\"suspect\" id=\"suspect-").append(pid).append("\">\n<h2>")
                .append(esc(v.info().name())).append(" <span class=\"muted\">pid ").append(pid).append("</span></h2>\n");
        b.append("<p class=\"why\"><strong>Suspect.</strong> ");
        if (v.privateBytes().suspect()) {
            b.append("Private bytes: ").append(esc(v.privateBytes().why())).append(". ");
        }
        if (v.handles().suspect()) {
            b.append("Handles: ").append(esc(v.handles().why())).append(". ");
        }
        b.append("Private bytes now ").append(esc(Human.bytes(v.lastPrivateBytes())));
        if (!Double.isNaN(v.secondsUntilPhysicalMemory())) {
            b.append("; at this rate it reaches the host's physical memory (").append(esc(Human.bytes(report.physicalMemoryBytes())))
                    .append(") in ").append(esc(Human.duration(v.secondsUntilPhysicalMemory())));
        }
        b.append(".</p>\n");
        chart(b, v, v.handles().suspect() && !v.privateBytes().suspect());
        b.append("<h3>Next steps</h3>\n<ol>\n");
        for (NextSteps.Step step : NextSteps.forProcess(osName, v)) {
            b.append("<li>").append(esc(step.title())).append(":<br><code>").append(esc(step.command())).append("</code></li>\n");
        }
        b.append("</ol>\n</section>\n");
    }

    /** Floors as dots joined by a line, and the Theil–Sen trend as a dashed line, in a fixed-size SVG. */
    private static void chart(StringBuilder b, LeakVerdict v, boolean handles) {
        FloorHistory.Buckets h = v.history();
        double[] values = handles ? h.handleFloors() : h.privateFloors();
        FloorTrend trend = handles ? v.handles().trend() : v.privateBytes().trend();
        double minT = Double.POSITIVE_INFINITY;
        double maxT = Double.NEGATIVE_INFINITY;
        double minV = Double.POSITIVE_INFINITY;
        double maxV = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            if (!Double.isNaN(values[i])) {
                minT = Math.min(minT, h.midSeconds()[i]);
                maxT = Math.max(maxT, h.midSeconds()[i]);
                minV = Math.min(minV, values[i]);
                maxV = Math.max(maxV, values[i]);
            }
        }
        if (trend == null || minT >= maxT) {
            return;
        }
        double pad = Math.max((maxV - minV) * 0.08, 1);
        double lo = minV - pad;
        double hi = maxV + pad;
        String what = handles ? "handles floor" : "private bytes floor";
        b.append("<svg class=\"chart\" id=\"chart-").append(v.info().pidLabel()).append("\" role=\"img\" width=\"").append(W)
                .append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\" aria-label=\"").append(esc(v.info().name())).append(' ')
                .append(what).append(" over time with trend line\">\n");
        b.append("<title>").append(esc(v.info().name())).append(": ").append(what).append(" per bucket, dashed = trend</title>\n");
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        b.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotW).append("\" height=\"")
                .append(plotH).append("\" fill=\"#fff\" stroke=\"#bbb\"/>\n");
        for (int i = 0; i <= 4; i++) {
            double value = lo + (hi - lo) * i / 4;
            double y = TOP + plotH - plotH * i / 4.0;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, LEFT + plotW, y, y))
                    .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
                            LEFT - 6, y + 4, esc(handles ? String.format(Locale.ROOT, "%.0f", value) : Human.bytes(value))));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">-%s</text>", LEFT, H - 10,
                esc(Human.duration(maxT - minT))));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">newest bucket</text>\n",
                LEFT + plotW, H - 10));
        StringBuilder line = new StringBuilder();
        StringBuilder dots = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                continue;
            }
            double x = LEFT + plotW * (h.midSeconds()[i] - minT) / (maxT - minT);
            double y = TOP + plotH * (hi - values[i]) / (hi - lo);
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#2c3e50\"/>", x, y));
        }
        b.append("<polyline class=\"floors\" fill=\"none\" stroke=\"#2c3e50\" stroke-width=\"1.5\" points=\"")
                .append(line.toString().trim()).append("\"/>\n").append(dots).append('\n');
        double y0 = TOP + plotH * (hi - trend.valueAt(minT)) / (hi - lo);
        double y1 = TOP + plotH * (hi - trend.valueAt(maxT)) / (hi - lo);
        b.append(String.format(Locale.ROOT,
                "<line class=\"trend\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>%n",
                LEFT, y0, LEFT + plotW, y1));
        b.append("</svg>\n");
    }

    private static void ranking(StringBuilder b, List<LeakVerdict> rows) {
        b.append("<h2>Processes by growth of the private-bytes floor</h2>\n<table id=\"ranking\">\n<thead><tr><th>process</th>"
                + "<th class=\"n\">pid</th><th>verdict</th><th class=\"n\">private bytes</th><th class=\"n\">floor growth</th>"
                + "<th class=\"n\">consistency</th><th class=\"n\">history</th><th class=\"n\">handle growth</th><th>why</th></tr></thead>\n<tbody>\n");
        for (LeakVerdict v : rows) {
            FloorTrend t = v.privateBytes().trend();
            b.append("<tr").append(v.suspect() ? " class=\"suspect\"" : "").append(" data-pid=\"").append(v.info().pidLabel())
                    .append("\"><td>").append(v.suspect() ? "<a href=\"#suspect-" + v.info().pidLabel() + "\">" : "")
                    .append(esc(v.info().name())).append(v.suspect() ? "</a>" : "").append("</td><td class=\"n\">")
                    .append(v.info().pidLabel()).append("</td><td>").append(v.summary()).append("</td><td class=\"n\">")
                    .append(esc(Human.bytes(v.lastPrivateBytes()))).append("</td><td class=\"n\">")
                    .append(esc(Human.bytesPerDay(v.privateBytes().slopePerSecond()))).append("</td><td class=\"n\">")
                    .append(t == null ? "n/a" : Human.percent(t.concordance())).append("</td><td class=\"n\">")
                    .append(esc(Human.duration(v.coverageSeconds()))).append("</td><td class=\"n\">")
                    .append(esc(Human.countPerDay(v.handles().slopePerSecond()))).append("</td><td class=\"why\">")
                    .append(esc(v.handles().suspect() && !v.privateBytes().suspect() ? v.handles().why() : v.privateBytes().why()))
                    .append("</td></tr>\n");
        }
        b.append("</tbody></table>\n");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
