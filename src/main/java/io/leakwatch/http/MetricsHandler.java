package io.leakwatch.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.leakwatch.http.HttpSettings;
import io.leakwatch.metrics.Exposition;
import org.jetbrains.annotations.NotNull;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * GET /metrics: negotiates the format and gzip, applies collect[], derives the deadline from
 * Prometheus' timeout header, and streams the exposition straight into the response.
 */
final class MetricsHandler implements Handler {
    static final double DEFAULT_SCRAPE_TIMEOUT_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(MetricsHandler.class);

    private final Exposition exposition;
    private final Set<String> enabledCollectors;
    private final double timeoutMarginSeconds;
    private final WorkSlots slots;
    private volatile boolean warnedNoTime;

    MetricsHandler(Exposition exposition, HttpSettings settings, WorkSlots slots) {
        this.exposition = exposition;
        this.slots = slots;
        this.enabledCollectors = settings.enabledCollectors();
        this.timeoutMarginSeconds = settings.timeoutMarginSeconds();
    }

    @Override
    public void handle(@NotNull Context ctx) throws Exception {
        long start = System.nanoTime();
        Set<String> collectors = requestedCollectors(ctx);
        if (collectors == null) {
            return; // 400 already written
        }
        String contentType = Exposition.contentType(ctx.header("Accept"));
        boolean gzip = acceptsGzip(ctx.header("Accept-Encoding"));
        boolean head = "HEAD".equals(ctx.method().name());
        WorkSlots.Slot slot = head ? WorkSlots.Slot.NONE : slots.take();
        if (slot == null) {
            slots.refuse(ctx);
            return;
        }
        ctx.status(200);
        ctx.contentType(contentType);
        ctx.header("Vary", "Accept, Accept-Encoding");
        if (gzip) {
            ctx.header("Content-Encoding", "gzip");
        }
        if (head) {
            // the headers a GET would get, without collecting: the length of a streamed body is not known in
            // advance, so, as for GET, none is sent (committing the headers now keeps Jetty from adding "0")
            ctx.res().flushBuffer();
            return;
        }
        try {
            OutputStream raw = ctx.res().getOutputStream();
            OutputStream body = gzip ? new GZIPOutputStream(raw, 8192) : raw;
            try (Writer out = new BufferedWriter(new OutputStreamWriter(body, StandardCharsets.UTF_8), 16 * 1024)) {
                // the slot is given back once collected: a slow reader holds a thread while it reads, not a slot
                exposition.write(out, contentType, collectors, deadlineSeconds(ctx.header("X-Prometheus-Scrape-Timeout-Seconds")),
                        start, slot::release);
            }
        } finally {
            slot.release();
        }
    }

    /** @return the collectors to run, or null after answering 400 */
    private Set<String> requestedCollectors(Context ctx) {
        List<String> asked = ctx.queryParams("collect[]");
        if (asked.isEmpty()) {
            return enabledCollectors;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String name : asked) {
            if (!enabledCollectors.contains(name)) {
                ctx.status(400).contentType("text/plain; charset=utf-8")
                        .result("collect[]: unknown or disabled collector '" + sanitize(name) + "' (enabled: "
                                + String.join(", ", enabledCollectors) + ")\n");
                return null;
            }
            out.add(name);
        }
        return out;
    }

    private double deadlineSeconds(String timeoutHeader) {
        double deadline = deadlineSeconds(timeoutHeader, timeoutMarginSeconds);
        if (deadline <= 0 && !warnedNoTime) {
            warnedNoTime = true; // once: Prometheus sends the same header every scrape
            LOG.warn("the scrape timeout ({} s) minus --scrape.timeout-margin ({} s) leaves the process collector no time: it reports "
                            + "a timeout, as windows_exporter does; lower --scrape.timeout-margin or raise Prometheus' scrape_timeout",
                    sanitize(String.valueOf(timeoutHeader)), timeoutMarginSeconds);
        }
        return deadline;
    }

    /**
     * windows_exporter's rule: Prometheus' timeout header (10 s when absent, zero or not a number)
     * minus the margin. What is left may be zero or less: the collector then reports a timeout.
     */
    static double deadlineSeconds(String timeoutHeader, double marginSeconds) {
        double timeout = DEFAULT_SCRAPE_TIMEOUT_SECONDS;
        if (timeoutHeader != null) {
            try {
                double parsed = Double.parseDouble(timeoutHeader.trim());
                if (parsed != 0 && Double.isFinite(parsed)) {
                    timeout = parsed;
                }
            } catch (NumberFormatException e) {
                // a garbled header gets the default, as windows_exporter does
            }
        }
        return timeout - marginSeconds;
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] tokens = part.trim().split(";");
            if (!tokens[0].trim().equalsIgnoreCase("gzip")) {
                continue;
            }
            for (int i = 1; i < tokens.length; i++) {
                String t = tokens[i].trim().replace(" ", "");
                if (t.equals("q=0") || t.equals("q=0.0") || t.equals("q=0.00") || t.equals("q=0.000")) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** Echo user input only as short printable ASCII. */
    static String sanitize(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
