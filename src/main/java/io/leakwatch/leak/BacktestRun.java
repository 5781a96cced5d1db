package io.leakwatch.leak;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code leakwatch backtest}: the samples a Prometheus recorded (files or a server), replayed through leakwatch's own
 * detector with the leak flags given, and every verdict change written out: a table for people, or one JSON object a
 * line.
 */
public final class BacktestRun {
    /** Where the samples come from. */
    public sealed interface Input permits Files, Server {
    }

    /** Prometheus range-query answers saved to files. */
    public record Files(List<Path> paths) implements Input {
    }

    /**
     * A Prometheus server.
     *
     * @param selector label matchers in braces ("" for all)
     * @param start    Unix seconds
     * @param end      Unix seconds
     */
    public record Server(URI url, String selector, double start, double end) implements Input {
    }

    public enum Format { TABLE, JSON }

    private BacktestRun() {
    }

    /**
     * Runs the backtest and writes its result to {@code out}; notes for the user (what was left out) go to {@code notes}.
     *
     * @param hostMemory the host's physical memory when the input does not say (NaN: unknown)
     * @throws IOException with a one-line message when the input cannot be read
     */
    public static void run(Input input, LeakSettings settings, double hostMemory, Format format, PrintStream out, PrintStream notes)
            throws IOException {
        BacktestSource source = input instanceof Files f ? new RangeQueryFiles(f.paths())
                : new PrometheusServer(((Server) input).url(), ((Server) input).selector(), ((Server) input).start(),
                ((Server) input).end(), settings.sampleIntervalSeconds());
        Writer writer = format == Format.JSON ? new JsonWriter(out) : new TableWriter(out, settings);
        Backtest.Summary summary;
        try {
            summary = new Backtest(settings, hostMemory, writer::change).run(source);
        } finally {
            writer.finish();
        }
        if (source instanceof RangeQueryFiles files) {
            if (!files.ignored().isEmpty()) {
                notes.println("leakwatch backtest: not read (not a metric the backtest uses): " + String.join(", ", files.ignored()));
            }
            if (files.unlabelled() > 0) {
                notes.println("leakwatch backtest: skipped " + files.unlabelled() + " series without a process or process_id label");
            }
        }
        if (summary.processes() == 0) {
            notes.println("leakwatch backtest: no windows_process_private_bytes series with process and process_id labels in the input");
        }
        if (format == Format.TABLE) {
            ((TableWriter) writer).summary(summary);
        }
    }

    private interface Writer {
        void change(Backtest.Change c);

        void finish();
    }

    /** One JSON object a line for every verdict change. */
    private static final class JsonWriter implements Writer {
        private final JsonGenerator g;
        private final OutputStream out;

        JsonWriter(PrintStream out) throws IOException {
            this.out = out;
            this.g = new JsonFactory().createGenerator(new NonClosing(out), JsonEncoding.UTF8);
            g.setRootValueSeparator(null);
        }

        @Override
        public void change(Backtest.Change c) {
            try {
                g.writeStartObject();
                seconds("time", c.timeSeconds());
                if (!c.instance().isEmpty()) {
                    g.writeStringField("instance", c.instance());
                }
                g.writeStringField("process", c.process());
                g.writeStringField("process_id", c.processId());
                seconds("start_time", c.startSeconds());
                g.writeStringField("resource", c.resource());
                g.writeStringField("verdict", c.verdict());
                g.writeBooleanField("suspect", c.suspect());
                g.writeStringField("rule", c.rule());
                g.writeStringField("why", c.why());
                g.writeEndObject();
                g.flush();
                out.write('\n');
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Unix seconds as plain digits (whole seconds as an integer, else milliseconds), never 1.79E9. */
        private void seconds(String field, double v) throws IOException {
            g.writeFieldName(field);
            if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                g.writeNumber((long) v);
            } else {
                g.writeNumber(new java.math.BigDecimal(v).setScale(3, java.math.RoundingMode.HALF_EVEN));
            }
        }

        @Override
        public void finish() {
            try {
                g.close();
                out.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Keeps the stream open when the generator closes. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /**
     * For people: when a process became a suspect or stopped being one (the verdicts in between, learning, stable and so
     * on, are in the JSON output), then a line per process that was ever a suspect.
     */
    private static final class TableWriter implements Writer {
        private static final String FORMAT = "%-20s  %-24s  %-8s  %-13s  %-12s  %s%n";
        private final PrintStream out;
        private final LeakSettings settings;
        private final Map<String, Boolean> suspect = new HashMap<>();
        private final Map<String, String[]> named = new LinkedHashMap<>(); // life -> {first named, name, pid, last verdict}
        private boolean header;

        TableWriter(PrintStream out, LeakSettings settings) {
            this.out = out;
            this.settings = settings;
        }

        @Override
        public void change(Backtest.Change c) {
            String life = c.instance() + "/" + c.processId() + "@" + Math.round(c.startSeconds());
            String key = life + "/" + c.resource();
            boolean was = suspect.getOrDefault(key, false);
            suspect.put(key, c.suspect());
            String[] n = named.get(life);
            if (n != null && c.resource().equals("private_bytes")) {
                n[3] = c.verdict();
            }
            if (was == c.suspect()) {
                return;
            }
            if (!header) {
                out.printf(Locale.ROOT, FORMAT, "time (UTC)", "process" , "pid", "resource", "verdict", "judged by: why");
                header = true;
            }
            String process = (c.instance().isEmpty() ? "" : c.instance() + " ") + c.process();
            out.printf(Locale.ROOT, FORMAT, time(c.timeSeconds()), cut(process, 24), c.processId(),
                    c.resource().replace('_', ' '), c.verdict(), c.rule() + ": " + c.why());
            if (c.suspect() && n == null) {
                named.put(life, new String[]{time(c.timeSeconds()), process, c.processId(), c.verdict(),
                        Human.duration(c.timeSeconds() - c.startSeconds())});
            }
        }

        @Override
        public void finish() {
            out.flush();
        }

        void summary(Backtest.Summary s) {
            if (!header) {
                out.println("no leak suspect");
            }
            out.printf(Locale.ROOT, "%nReplayed %d process series (%d process lives) from %s to %s: %d collections, a %s window, "
                            + "a sample every %s.%n", s.processes(), s.lives(), time(s.firstSeconds()), time(s.lastSeconds()),
                    s.collections(), Human.duration(settings.windowSeconds()), Human.duration(settings.sampleIntervalSeconds()));
            List<String> lines = new ArrayList<>();
            named.forEach((life, n) -> lines.add(String.format(Locale.ROOT, "  %s (pid %s): first named at %s, %s after its first "
                    + "sample%s", n[1], n[2], n[0], n[4], suspect.entrySet().stream().anyMatch(e -> e.getKey().startsWith(life + "/")
                    && e.getValue()) ? "; a suspect at the end" : "")));
            if (!lines.isEmpty()) {
                out.println("Suspects:");
                lines.forEach(out::println);
            }
            out.flush();
        }

        private static String cut(String s, int n) {
            return s.length() <= n ? s : s.substring(0, n - 1) + "~";
        }
    }

    static String time(double unixSeconds) {
        return Double.isFinite(unixSeconds) ? Instant.ofEpochSecond((long) Math.floor(unixSeconds)).toString() : "n/a";
    }
}
