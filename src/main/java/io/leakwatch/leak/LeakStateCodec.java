package io.leakwatch.leak;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the leak state file holds, as JSON read and written as a stream (jackson-core), so its size never
 * turns into heap; works on bytes and knows nothing of files ({@link StateFile} does that).
 * <pre>
 * {"format":"leakwatch-leak-state","version":2,"bucket_seconds":1800.0,"saved_at":1790000000.5,
 *  "processes":[{"pid":42,"start_time":...,"name":"...","service":"32 hex digits","first_sample":...,
 *    "last_sample":...,"last_private_bytes":...,"last_handles":null,"suspect":false,"ended":false,
 *    "first_bucket":994444,"private_floors":[1000,null,...],"handle_floors":[...]}, ...]}
 * </pre>
 * Reading never throws: every limit comes from the settings ({@link Limits}), every entry is checked,
 * and a bad entry costs only its process. To add a field to an entry: write it in {@link #writeEntry},
 * read it in {@link #readEntry} with one of {@link Fields}' checked getters (an absent field has its
 * default there, so older files still read).
 */
final class LeakStateCodec {
    static final String FORMAT = "leakwatch-leak-state";
    static final int VERSION = 2;
    /** Longest process name kept (longer names are cut by the collector long before). */
    static final int MAX_NAME = 1024;
    /** Buckets of one floors list at most: the window and the bucket being filled. */
    private static final int MAX_FLOORS = LeakSettings.BUCKETS + 1;

    private LeakStateCodec() {
    }

    /**
     * What a state file may hold, derived from the --leak.* settings.
     *
     * @param bucketSeconds the bucket length the file must have been saved with (--leak.window / buckets)
     * @param windowSeconds histories that ended longer ago than this are of no use
     * @param maxEntries    processes and past lives together
     */
    record Limits(double bucketSeconds, double windowSeconds, int maxEntries) {
        static Limits of(LeakSettings settings, int maxProcesses) {
            return new Limits(settings.bucketSeconds(), settings.windowSeconds(),
                    maxProcesses + PastLives.MAX_SERVICES * PastLives.MAX_LIVES_PER_SERVICE);
        }

        /** Bytes of one entry at most: fixed fields, a name of escaped characters, two lists of floors. */
        long maxEntryBytes() {
            return 600 + 6L * MAX_NAME + 2L * MAX_FLOORS * 26;
        }

        long maxFileBytes() {
            return 4096 + maxEntries * maxEntryBytes();
        }
    }

    /**
     * What was read.
     *
     * @param histories the entries kept
     * @param verdict   what may happen to the file (see {@link StateFile.Verdict})
     * @param problem   one line for the log that follows the file's name ("is damaged ..."); null when there is nothing to say
     */
    record Decoded(List<SavedHistory> histories, StateFile.Verdict verdict, String problem) implements StateFile.Decoded {
        static final Decoded NOTHING = new Decoded(List.of(), StateFile.Verdict.USABLE, null);
    }

    // ---------------------------------------------------------------- writing

    static void write(OutputStream out, double bucketSeconds, double savedAtSeconds, List<SavedHistory> histories) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) { // the caller's stream: it still syncs and closes it
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeNumberField("version", VERSION);
            g.writeNumberField("bucket_seconds", bucketSeconds);
            g.writeNumberField("saved_at", savedAtSeconds);
            g.writeArrayFieldStart("processes");
            for (SavedHistory h : histories) {
                writeEntry(g, h);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void writeEntry(JsonGenerator g, SavedHistory h) throws IOException {
        g.writeStartObject();
        g.writeNumberField("pid", h.pid());
        g.writeNumberField("start_time", h.startTimeSeconds());
        g.writeStringField("name", h.name().length() > MAX_NAME ? h.name().substring(0, MAX_NAME) : h.name());
        if (h.service() != null) {
            g.writeStringField("service", h.service().hex());
        }
        g.writeNumberField("first_sample", h.firstSample());
        g.writeNumberField("last_sample", h.lastSample());
        number(g, "last_private_bytes", h.lastPrivateBytes());
        number(g, "last_handles", h.lastHandles());
        g.writeBooleanField("suspect", h.suspect());
        g.writeBooleanField("ended", h.ended());
        FloorHistory.Buckets b = h.buckets();
        long first = b.size() == 0 ? 0 : b.ids()[0];
        g.writeNumberField("first_bucket", first);
        floors(g, "private_floors", b, b.privateFloors(), first);
        floors(g, "handle_floors", b, b.handleFloors(), first);
        g.writeEndObject();
    }

    /** Floors from the first bucket on, one per bucket, null where a bucket has none. */
    private static void floors(JsonGenerator g, String name, FloorHistory.Buckets b, double[] values, long first) throws IOException {
        g.writeArrayFieldStart(name);
        int i = 0;
        long last = b.size() == 0 ? first - 1 : b.ids()[b.size() - 1];
        for (long id = first; id <= last; id++) {
            if (i < b.size() && b.ids()[i] == id) {
                value(g, values[i]);
                i++;
            } else {
                g.writeNull();
            }
        }
        g.writeEndArray();
    }

    private static void number(JsonGenerator g, String name, double v) throws IOException {
        g.writeFieldName(name);
        value(g, v);
    }

    /** Integral values (bytes, handles) as integers, NaN and infinities as null (not JSON numbers). */
    private static void value(JsonGenerator g, double v) throws IOException {
        if (!Double.isFinite(v)) {
            g.writeNull();
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            g.writeNumber((long) v);
        } else {
            g.writeNumber(v);
        }
    }

    // ---------------------------------------------------------------- reading

    /** A problem with the content as a whole: ends the read. */
    private static final class Refused extends Exception {
        final StateFile.Verdict verdict;

        Refused(StateFile.Verdict verdict, String message) {
            super(message, null, false, false);
            this.verdict = verdict;
        }
    }

    /** A problem with one entry: skips it. */
    private static final class BadEntry extends Exception {
        BadEntry(String message) {
            super(message, null, false, false);
        }
    }

    /** Entries read so far, and what was skipped. */
    private static final class Reading {
        final List<SavedHistory> kept = new ArrayList<>();
        int entries;
        int skipped;
        String firstProblem;

        void skip(String problem) {
            skipped++;
            if (firstProblem == null) {
                firstProblem = "entry " + entries + ": " + problem;
            }
        }

        Decoded partly(String what) {
            return new Decoded(List.copyOf(kept), StateFile.Verdict.KEEP_ASIDE, what + "; restored the " + kept.size()
                    + " histories before the problem");
        }
    }

    /** Reads {@code size} bytes of content within {@code limits}; never throws. */
    static Decoded read(InputStream in, long size, Limits limits, double nowSeconds) {
        Reading r = new Reading();
        try (JsonParser p = factory(limits).createParser(in)) {
            readDocument(p, size, limits, nowSeconds, r);
        } catch (Refused e) {
            return new Decoded(e.verdict == StateFile.Verdict.FOREIGN ? List.of() : List.copyOf(r.kept), e.verdict, e.getMessage());
        } catch (StreamConstraintsException e) {
            return r.partly("breaks a limit (" + StateFile.oneLine(e) + ")");
        } catch (IOException | RuntimeException | StackOverflowError e) {
            return r.partly("is damaged (" + StateFile.oneLine(e) + ")"); // broken JSON after a valid header
        }
        if (r.skipped > 0) {
            return new Decoded(List.copyOf(r.kept), StateFile.Verdict.KEEP_ASIDE, "holds " + r.skipped
                    + " invalid histories, skipped (first: " + r.firstProblem + "); restored the other " + r.kept.size());
        }
        return new Decoded(List.copyOf(r.kept), StateFile.Verdict.USABLE, null);
    }

    private static JsonFactory factory(Limits limits) {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(8)
                        .maxStringLength(8 * MAX_NAME)
                        .maxNameLength(64)
                        .maxNumberLength(32)
                        .maxDocumentLength(limits.maxFileBytes())
                        .build())
                .build();
    }

    private static void readDocument(JsonParser p, long size, Limits limits, double nowSeconds, Reading r) throws IOException, Refused {
        try {
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME || !"format".equals(p.currentName())
                    || p.nextToken() != JsonToken.VALUE_STRING || !FORMAT.equals(p.getText())) {
                throw new Refused(StateFile.Verdict.FOREIGN, "is not a leakwatch leak state file");
            }
        } catch (IOException | RuntimeException e) {
            throw new Refused(StateFile.Verdict.FOREIGN, "is not a leakwatch leak state file");
        }
        // ours from here on: problems keep the file aside instead of losing it
        if (size > limits.maxFileBytes()) {
            throw new Refused(StateFile.Verdict.KEEP_ASIDE, "is " + size + " bytes, more than the " + limits.maxFileBytes()
                    + " that " + limits.maxEntries() + " histories can take with these --leak.* settings");
        }
        boolean headerChecked = false;
        Double bucketSeconds = null;
        Integer version = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "version" -> version = p.currentToken() == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                case "bucket_seconds" -> bucketSeconds = p.currentToken().isNumeric() ? p.getDoubleValue() : Double.NaN;
                case "processes" -> {
                    checkHeader(limits, version, bucketSeconds);
                    headerChecked = true;
                    readProcesses(p, limits, nowSeconds, r);
                }
                default -> p.skipChildren();
            }
        }
        if (!headerChecked) {
            checkHeader(limits, version, bucketSeconds);
        }
        if (t != JsonToken.END_OBJECT) {
            throw new Refused(StateFile.Verdict.KEEP_ASIDE, "is damaged after the list of processes; restored the "
                    + r.kept.size() + " histories read");
        }
    }

    private static void checkHeader(Limits limits, Integer version, Double bucketSeconds) throws Refused {
        if (version == null || version != VERSION) {
            throw new Refused(StateFile.Verdict.KEEP_ASIDE, "has format version " + (version == null ? "none" : version)
                    + ", this leakwatch reads " + VERSION);
        }
        if (bucketSeconds == null || !(Math.abs(bucketSeconds - limits.bucketSeconds()) <= 1e-6 * limits.bucketSeconds())) {
            throw new Refused(StateFile.Verdict.KEEP_ASIDE, "was saved with another --leak.window (buckets of " + bucketSeconds
                    + "s, now " + limits.bucketSeconds() + "s)");
        }
    }

    private static void readProcesses(JsonParser p, Limits limits, double nowSeconds, Reading r) throws IOException, Refused {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new Refused(StateFile.Verdict.KEEP_ASIDE, "has a \"processes\" that is not a list");
        }
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IOException("ends inside the list of processes");
            }
            if (++r.entries > limits.maxEntries()) {
                throw new Refused(StateFile.Verdict.KEEP_ASIDE, "holds more than " + limits.maxEntries()
                        + " histories (the most these --leak.* settings keep); restored the first " + r.kept.size());
            }
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                r.skip("not an object");
                continue;
            }
            try {
                SavedHistory h = readEntry(Fields.read(p), limits, nowSeconds);
                if (h != null) {
                    r.kept.add(h);
                }
            } catch (BadEntry e) {
                r.skip(e.getMessage());
            }
        }
    }

    /** One entry from its fields, checked; null when it is valid but too old to matter. */
    private static SavedHistory readEntry(Fields f, Limits limits, double nowSeconds) throws BadEntry {
        long pid = f.integer("pid", 0, 0xFFFF_FFFFL);
        double start = f.number("start_time");
        String name = f.string("name", MAX_NAME);
        String serviceHex = f.stringOrNull("service", 32);
        ServiceIdentity service = serviceHex == null ? null : ServiceIdentity.parse(serviceHex);
        if (serviceHex != null && service == null) {
            throw new BadEntry("service is not 32 hex digits");
        }
        double first = f.number("first_sample");
        double last = f.number("last_sample");
        double lastPrivate = f.numberOrNull("last_private_bytes");
        double lastHandles = f.numberOrNull("last_handles");
        boolean suspect = f.bool("suspect");
        boolean ended = f.bool("ended");
        long firstBucket = f.integer("first_bucket", 0, Long.MAX_VALUE / 2);
        double[] priv = f.floors("private_floors");
        double[] hand = f.floors("handle_floors");
        if (priv.length != hand.length) {
            throw new BadEntry("private_floors and handle_floors differ in length");
        }
        double b = limits.bucketSeconds();
        if (!(start <= first + b && first <= last && last <= nowSeconds + 86400)) {
            throw new BadEntry("times out of order: start_time <= first_sample <= last_sample <= now must hold");
        }
        if (priv.length > 0 && (firstBucket < (long) Math.floor(first / b) || firstBucket + priv.length - 1 > (long) Math.floor(last / b))) {
            throw new BadEntry("buckets outside the sampled span");
        }
        if (last < nowSeconds - limits.windowSeconds()) {
            return null; // too old to matter: not an error
        }
        int n = 0;
        for (int i = 0; i < priv.length; i++) {
            n += Double.isNaN(priv[i]) && Double.isNaN(hand[i]) ? 0 : 1;
        }
        long[] ids = new long[n];
        double[] pf = new double[n];
        double[] hf = new double[n];
        for (int i = 0, k = 0; i < priv.length; i++) {
            if (!(Double.isNaN(priv[i]) && Double.isNaN(hand[i]))) {
                ids[k] = firstBucket + i;
                pf[k] = priv[i];
                hf[k] = hand[i];
                k++;
            }
        }
        return new SavedHistory(pid, start, name, service, first, last, lastPrivate, lastHandles, suspect, ended,
                new FloorHistory.Buckets(b, ids, pf, hf));
    }

    /**
     * One entry's fields as read: Integer, Long, BigInteger or Double for numbers, String, Boolean, {@link #NULL}, double[] for a list of numbers and nulls (null items are NaN), or a
     * {@link Bad} for anything else. Reading consumes the whole object, so a bad field never leaves the parser
     * inside the entry; the getters check types and ranges and say what is wrong.
     */
    private record Fields(Map<String, Object> values) {
        private static final Object NULL = new Object();

        private record Bad(String why) {
        }

        static Fields read(JsonParser p) throws IOException {
            Map<String, Object> values = new HashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (v == null) {
                    break;
                }
                values.put(field, switch (v) {
                    case VALUE_NUMBER_INT -> p.getNumberValue(); // Integer, Long or BigInteger (at most 32 digits)
                    case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                    case VALUE_STRING -> p.getText();
                    case VALUE_TRUE, VALUE_FALSE -> v == JsonToken.VALUE_TRUE;
                    case VALUE_NULL -> NULL;
                    case START_ARRAY -> list(p, field);
                    default -> {
                        p.skipChildren();
                        yield new Bad(field + " is an object");
                    }
                });
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new IOException("ends inside an entry");
            }
            return new Fields(values);
        }

        /** A list of at most {@link #MAX_FLOORS} non-negative numbers and nulls, read to its end whatever it holds. */
        private static Object list(JsonParser p, String field) throws IOException {
            double[] out = new double[MAX_FLOORS];
            int n = 0;
            String bad = null;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new IOException("ends inside " + field);
                }
                p.skipChildren();
                if (bad != null) {
                    continue;
                }
                if (n == out.length) {
                    bad = field + " has more than " + out.length + " buckets";
                } else if (t == JsonToken.VALUE_NULL) {
                    out[n++] = Double.NaN;
                } else if (t.isNumeric() && Double.isFinite(p.getDoubleValue()) && p.getDoubleValue() >= 0) {
                    out[n++] = p.getDoubleValue();
                } else {
                    bad = field + " holds something other than non-negative numbers and nulls";
                }
            }
            return bad != null ? new Bad(bad) : Arrays.copyOf(out, n);
        }

        private Object get(String field, boolean required) throws BadEntry {
            Object v = values.get(field);
            if (v instanceof Bad bad) {
                throw new BadEntry(bad.why());
            }
            if (v == null && required) {
                throw new BadEntry(field + " is missing");
            }
            return v;
        }

        long integer(String field, long min, long max) throws BadEntry {
            Object v = get(field, true);
            if (!(v instanceof Integer || v instanceof Long || v instanceof BigInteger)) {
                throw new BadEntry(field + " is not an integer");
            }
            long x = v instanceof BigInteger ? -1 : ((Number) v).longValue();
            if (v instanceof BigInteger || x < min || x > max) {
                throw new BadEntry(field + " is out of range");
            }
            return x;
        }

        /** A finite, non-negative number. */
        double number(String field) throws BadEntry {
            if (!(get(field, true) instanceof Number n)) {
                throw new BadEntry(field + " is not a number");
            }
            double x = n.doubleValue();
            if (!Double.isFinite(x) || x < 0) {
                throw new BadEntry(field + " is not a finite, non-negative number");
            }
            return x;
        }

        /** {@link #number}, or NaN when absent or null. */
        double numberOrNull(String field) throws BadEntry {
            Object v = get(field, false);
            return v == null || v == NULL ? Double.NaN : number(field);
        }

        String string(String field, int maxLength) throws BadEntry {
            if (!(get(field, true) instanceof String s) || s.length() > maxLength) {
                throw new BadEntry(field + " is not a string of at most " + maxLength + " characters");
            }
            return s;
        }

        /** {@link #string}, or null when absent or null. */
        String stringOrNull(String field, int maxLength) throws BadEntry {
            Object v = get(field, false);
            return v == null || v == NULL ? null : string(field, maxLength);
        }

        /** true or false; false when absent. */
        boolean bool(String field) throws BadEntry {
            Object v = get(field, false);
            if (v != null && !(v instanceof Boolean)) {
                throw new BadEntry(field + " is not true or false");
            }
            return v != null && (Boolean) v;
        }

        /** A list of floors (NaN for null). */
        double[] floors(String field) throws BadEntry {
            if (!(get(field, true) instanceof double[] list)) {
                throw new BadEntry(field + " is not a list");
            }
            return list;
        }
    }
}
