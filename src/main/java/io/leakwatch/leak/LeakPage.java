package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * /leaks: the ranking, and for each suspect its chart (server-side SVG, no JavaScript), verdict,
 * reasons, earlier lives and next steps.
 */
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
                code{background:#eee;padding:0 .2em;word-break:break-all}pre{background:#eee;padding:.4em;white-space:pre-wrap;word-break:break-all}
                .why{color:#333}.muted{color:#777}svg.chart{background:#fafafa;border:1px solid #ccc}
                </style></head>
                <body>
                <p><a href="./">leakwatch</a> / leaks (<a href="leaks.json">JSON</a>)</p>
                <h1>Leak suspects</h1>
                """);
        b.append("<p id=\"summary\">").append(suspects.size()).append(suspects.size() == 1 ? " suspect" : " suspects")
                .append(" among ").append(report.processes().size()).append(" tracked processes. Window ")
                .append(Human.duration(s.windowSeconds())).append(" (").append(LeakSettings.BUCKETS).append(" buckets of ")
                .append(Human.duration(s.bucketSeconds())).append("), sampled every ").append(Human.duration(s.sampleIntervalSeconds()))
                .append("; a suspect's lower envelope grows at least ").append(esc(Human.bytesPerDay(s.minGrowthBytesPerSecond())))
                .append(" or ").append(esc(Human.countPerDay(s.minHandleGrowthPerSecond()))).append(" handles. ");
        if (!Double.isNaN(report.generatedAtSeconds())) {
            b.append("<span class=\"muted\">Judged at ").append(time(report.generatedAtSeconds())).append(".</span>");
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
            b.append("<h2>Suspects that exited</h2>\n<table id=\"exited\">\n<thead><tr><th>process</th><th class=\"n\">pid</th>"
                    + "<th>exited</th><th>last verdict</th></tr></thead>\n<tbody>\n");
            for (LeakVerdict v : report.exitedSuspects()) {
                b.append("<tr data-pid=\"").append(v.info().pidLabel()).append("\"><td>").append(esc(v.info().name()))
                        .append("</td><td class=\"n\">").append(v.info().pidLabel()).append("</td><td>")
                        .append(time(v.exitedAtSeconds())).append("</td><td class=\"why\">")
                        .append(v.handlesFirst() ? "Handles: " : "Private bytes: ").append(esc(v.leading().why()))
                        .append("</td></tr>\n");
            }
            b.append("</tbody></table>\n");
        }
        b.append("""
                <h2>How the verdict is made</h2>
                <p>Every sample (each scrape and the background sampler) lowers the <em>floor</em> of its bucket: the lowest
                private bytes (and handles) seen in it. Memory a process gives back shows in its floors; memory it never gives
                back raises them. Three rules read the floors, each in words on this page when it names a suspect:</p>
                <ul>
                <li><strong>The trend over the window.</strong> The lower envelope (the lowest floor over the last 1 to 12
                buckets, the finest width at which it rises without falling back, so a garbage-collector or cache sawtooth
                disappears) grows at least the threshold, steadily (a Mann&ndash;Kendall test, corrected for the envelope's
                own autocorrelation, puts the chance of noise at 1 in 290,000 or less), in every quarter of the window and
                still now. It needs a whole window of history (a day by default: a daily ramp looks like a leak for a
                morning, and comes back down at night), and the lowest value of the window must be above that of the window
                before it (a ramp or a wander comes back down; a leak never does). A service that restarts is judged over its
                recent lives together; a new life that has too few samples of its own inherits the verdict of the life
                before it, says so, and its own flat samples clear it.</li>
                <li><strong>The daily lows.</strong> For memory that follows the day (a business-hours load): the lowest value
                of each of the last three windows rose, each day about as much as the day before, at the same hours of
                the day too. A daily or weekly load comes back to the same low every night; a leak under it does not.</li>
                <li><strong>Urgent.</strong> Private bytes that would reach the host's memory within one window, rising
                steadily over the last eighth of it: named at once, whatever the history.</li>
                </ul>
                <p>A rule names a suspect after holding at several bucket ends in a row, and a suspect stays one while its
                rule holds with looser thresholds. When samples are missing (a paused machine, a stopped leakwatch), a
                suspect keeps its verdict until the window has samples enough again. The bucket still filling is never
                judged.</p>
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
            b.append("Private bytes, by ").append(esc(v.privateBytes().rule())).append(": ").append(esc(v.privateBytes().why()))
                    .append(". ");
        }
        if (v.handles().suspect()) {
            b.append("Handles, by ").append(esc(v.handles().rule())).append(": ").append(esc(v.handles().why())).append(". ");
        }
        if (v.handlesFirst()) {
            b.append("Handles now ").append(count(v.lastHandles()));
        } else {
            b.append("Private bytes now ").append(esc(Human.bytes(v.lastPrivateBytes())));
            if (!Double.isNaN(v.secondsUntilPhysicalMemory())) {
                b.append("; at this rate they reach the host's physical memory (").append(esc(Human.bytes(report.physicalMemoryBytes())))
                        .append(") in ").append(esc(Human.duration(v.secondsUntilPhysicalMemory())));
            }
        }
        b.append(".</p>\n");
        chart(b, v, v.handlesFirst());
        if (!v.earlierLives().isEmpty()) {
            b.append("<p>Judged together with ").append(v.earlierLives().size()).append(v.earlierLives().size() == 1
                    ? " earlier life" : " earlier lives").append(" of the same program (same name, owner and command line):</p>\n<ul class=\"lives\">\n");
            for (PastLives.Life l : v.earlierLives()) {
                b.append("<li>pid ").append(l.pid()).append(", started ").append(time(l.startSeconds())).append(", last seen ")
                        .append(time(l.endSeconds())).append(" (").append(esc(Human.duration(l.endSeconds() - l.startSeconds())))
                        .append(")</li>\n");
            }
            b.append("</ul>\n");
        }
        NextSteps.Runtime runtime = NextSteps.guess(v.info());
        Shell shell = Shell.forOs(osName);
        b.append("<h3>Next steps</h3>\n<p class=\"muted\">Guessed runtime: ").append(esc(runtime.description))
                .append(". Commands for ").append(shell.label()).append(" on this host.</p>\n<ol>\n");
        for (NextSteps.Step step : NextSteps.forProcess(osName, v)) {
            b.append("<li>").append(esc(step.title()));
            if (!step.commands().isEmpty()) {
                b.append(":<pre>");
                for (Shell.Line line : step.commands()) {
                    b.append(esc(shell.render(line))).append('\n');
                }
                b.append("</pre>");
            }
            b.append("</li>\n");
        }
        b.append("</ol>\n</section>\n");
    }

    /**
     * Floors of every life in the window as dots joined by a line (earlier lives grey), the lower envelope the verdict
     * judged, and the trend as a dashed line, in a fixed-size SVG whose value axis starts at 0 or above.
     */
    private static void chart(StringBuilder b, LeakVerdict v, boolean handles) {
        List<double[][]> series = new ArrayList<>(); // per life: times, values
        for (PastLives.Life l : v.earlierLives()) {
            series.add(points(l.buckets(), handles));
        }
        series.add(points(v.history(), handles));
        FloorTrend trend = handles ? v.handles().trend() : v.privateBytes().trend();
        double minT = Double.POSITIVE_INFINITY;
        double maxT = Double.NEGATIVE_INFINITY;
        double minV = Double.POSITIVE_INFINITY;
        double maxV = Double.NEGATIVE_INFINITY;
        for (double[][] s : series) {
            for (int i = 0; i < s[0].length; i++) {
                minT = Math.min(minT, s[0][i]);
                maxT = Math.max(maxT, s[0][i]);
                minV = Math.min(minV, s[1][i]);
                maxV = Math.max(maxV, s[1][i]);
            }
        }
        if (trend == null || !(minT < maxT)) {
            return;
        }
        double pad = Math.max((maxV - minV) * 0.08, 1);
        double lo = Math.max(0, minV - pad);
        double hi = maxV + pad;
        String what = handles ? "handles" : "private bytes";
        b.append("<svg class=\"chart\" id=\"chart-").append(v.info().pidLabel()).append("\" role=\"img\" width=\"").append(W)
                .append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\" aria-label=\"").append(esc(v.info().name())).append(' ')
                .append(what).append(" floors over time with lower envelope and trend line\">\n");
        b.append("<title>").append(esc(v.info().name())).append(": ").append(what)
                .append(" floor per bucket (earlier lives grey), lower envelope, dashed = trend</title>\n");
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        b.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotW).append("\" height=\"")
                .append(plotH).append("\" fill=\"#fff\" stroke=\"#bbb\"/>\n");
        for (int i = 0; i <= 4; i++) {
            double value = lo + (hi - lo) * i / 4;
            double y = TOP + plotH - plotH * i / 4.0;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, LEFT + plotW, y, y))
                    .append(String.format(Locale.ROOT, "<text class=\"ytick\" x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
                            LEFT - 6, y + 4, esc(handles ? String.format(Locale.ROOT, "%.0f", value) : Human.bytes(value))));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">-%s</text>", LEFT, H - 10,
                esc(Human.duration(maxT - minT))));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">newest complete bucket</text>\n",
                LEFT + plotW, H - 10));
        for (int s = 0; s < series.size(); s++) {
            boolean current = s == series.size() - 1;
            String color = current ? "#2c3e50" : "#999";
            double[][] p = series.get(s);
            StringBuilder line = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (int i = 0; i < p[0].length; i++) {
                double x = LEFT + plotW * (p[0][i] - minT) / (maxT - minT);
                double y = TOP + plotH * (hi - p[1][i]) / (hi - lo);
                line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>", x, y, color));
            }
            b.append("<polyline class=\"").append(current ? "floors" : "floors earlier").append("\" fill=\"none\" stroke=\"")
                    .append(color).append("\" stroke-width=\"1.5\" points=\"").append(line.toString().trim()).append("\"/>\n")
                    .append(dots).append('\n');
        }
        envelope(b, v, handles, trend.scaleBuckets(), minT, maxT, lo, hi);
        double from = Math.max(minT, trend.newestFrom());
        double to = Math.min(maxT, trend.newestTo());
        if (from < to) {
            b.append(String.format(Locale.ROOT,
                    "<line class=\"trend\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>%n",
                    LEFT + plotW * (from - minT) / (maxT - minT), clampY(TOP + plotH * (hi - trend.valueAt(from)) / (hi - lo)),
                    LEFT + plotW * (to - minT) / (maxT - minT), clampY(TOP + plotH * (hi - trend.valueAt(to)) / (hi - lo))));
        }
        b.append("</svg>\n");
    }

    /** The judged envelope of the current life, as a step line. */
    private static void envelope(StringBuilder b, LeakVerdict v, boolean handles, int scale, double minT, double maxT, double lo, double hi) {
        FloorHistory.Buckets h = v.history();
        double[] env = FloorTrend.envelopeOf(h.ids(), handles ? h.handleFloors() : h.privateFloors(), scale);
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < env.length; i++) {
            if (!Double.isNaN(env[i])) {
                double x = LEFT + plotW * (h.midSeconds(i) - minT) / (maxT - minT);
                line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, TOP + plotH * (hi - env[i]) / (hi - lo)));
            }
        }
        if (!line.isEmpty()) {
            b.append("<polyline class=\"envelope\" fill=\"none\" stroke=\"#27ae60\" stroke-width=\"2\" points=\"")
                    .append(line.toString().trim()).append("\"/>\n");
        }
    }

    private static double clampY(double y) {
        return Math.max(TOP, Math.min(H - BOTTOM, y));
    }

    private static double[][] points(FloorHistory.Buckets buckets, boolean handles) {
        double[] values = handles ? buckets.handleFloors() : buckets.privateFloors();
        int n = 0;
        for (double x : values) {
            n += Double.isNaN(x) ? 0 : 1;
        }
        double[][] out = new double[2][n];
        int k = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Double.isNaN(values[i])) {
                out[0][k] = buckets.midSeconds(i);
                out[1][k++] = values[i];
            }
        }
        return out;
    }

    private static void ranking(StringBuilder b, List<LeakVerdict> rows) {
        b.append("<h2>Processes by growth</h2>\n<p class=\"muted\">Each row shows the resource its verdict is about: handles for "
                + "a handle suspect, private bytes otherwise.</p>\n<table id=\"ranking\">\n<thead><tr><th>process</th>"
                + "<th class=\"n\">pid</th><th>verdict</th><th>resource</th><th class=\"n\">now</th><th class=\"n\">growth</th>"
                + "<th class=\"n\">chance of noise</th><th class=\"n\">history</th><th>judged by</th><th>why</th></tr></thead>\n"
                + "<tbody>\n");
        for (LeakVerdict v : rows) {
            boolean handles = v.handlesFirst();
            ResourceVerdict r = v.leading();
            FloorTrend t = r.trend();
            String now = handles ? count(v.lastHandles()) : Human.bytes(v.lastPrivateBytes());
            String growth = handles ? Human.countPerDay(r.slopePerSecond()) : Human.bytesPerDay(r.slopePerSecond());
            b.append("<tr").append(v.suspect() ? " class=\"suspect\"" : "").append(" data-pid=\"").append(v.info().pidLabel())
                    .append("\"><td>").append(v.suspect() ? "<a href=\"#suspect-" + v.info().pidLabel() + "\">" : "")
                    .append(esc(v.info().name())).append(v.suspect() ? "</a>" : "").append("</td><td class=\"n\">")
                    .append(v.info().pidLabel()).append("</td><td>").append(v.summary()).append("</td><td>")
                    .append(handles ? "handles" : "private bytes").append("</td><td class=\"n\">").append(esc(now))
                    .append("</td><td class=\"n\">").append(esc(growth)).append("</td><td class=\"n\">")
                    .append(t == null ? "n/a" : ResourceVerdict.chance(t.z())).append("</td><td class=\"n\">")
                    .append(esc(Human.duration(v.coverageSeconds()))).append("</td><td>").append(esc(r.rule()))
                    .append("</td><td class=\"why\">").append(esc(r.why()))
                    .append("</td></tr>\n");
        }
        b.append("</tbody></table>\n");
    }

    /** A handle count as a whole number; "n/a" when not readable. */
    private static String count(double n) {
        return Double.isNaN(n) ? "n/a" : String.format(Locale.ROOT, "%.0f", n);
    }

    static String time(double unixSeconds) {
        return Double.isNaN(unixSeconds) ? "n/a" : Instant.ofEpochMilli((long) (unixSeconds * 1000)).toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
