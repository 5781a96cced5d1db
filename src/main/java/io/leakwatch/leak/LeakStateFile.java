package io.leakwatch.leak;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.leakwatch.leak.LeakSettings;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The history across restarts: a JSON file written and read as a stream (jackson-core), so its
 * size never turns into heap. Written to a temporary file in the same directory and renamed over
 * the old one, so a crash mid-write leaves the old one; a symlinked state file stays a symlink (the
 * file it points to is replaced). Reading never throws and never exits: every limit comes from the
 * settings ({@link Limits}), every element is checked, and a bad element costs only its process.
 * A file that is not a leakwatch state file is never overwritten.
 */
final class LeakStateFile {
    static final String FORMAT = "leakwatch-leak-state";
    static final int VERSION = 2;
    /** Longest process name kept (longer names are cut by the collector long before). */
    static final int MAX_NAME = 1024;
    private static final int MAX_LINK_HOPS = 40;
    private static final DateTimeFormatter ASIDE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private LeakStateFile() {
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

        /** Bytes of one entry at most: fixed fields, a name of escaped characters, two arrays of buckets. */
        long maxEntryBytes() {
            return 600 + 6L * MAX_NAME + 2L * (LeakSettings.BUCKETS + 1) * 26;
        }

        long maxFileBytes() {
            return 4096 + maxEntries * maxEntryBytes();
        }
    }

    /** How a read went; decides what may be done to the file afterwards. */
    enum Status {
        /** No file (or an empty one): nothing restored, saving creates it. */
        MISSING,
        /** Every entry restored. */
        RESTORED,
        /** A leakwatch state file with problems: the good entries are restored, the file is kept aside before saving. */
        PARTLY,
        /** A leakwatch state file that cannot be used here (other window, other version): kept aside before saving. */
        UNUSABLE,
        /** Not a leakwatch state file, or not readable: never overwritten, saving is off. */
        FOREIGN
    }

    /**
     * @param histories what was restored
     * @param status    see {@link Status}
     * @param message   one line for the log (null when there is nothing to say)
     */
    record Loaded(List<SavedHistory> histories, Status status, String message) {
        boolean mayOverwrite() {
            return status != Status.FOREIGN;
        }

        boolean keepAside() {
            return status == Status.PARTLY || status == Status.UNUSABLE;
        }
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

    // ---------------------------------------------------------------- writing

    static void write(Path file, LeakSettings settings, double savedAtSeconds, List<SavedHistory> histories) throws IOException {
        Path target = resolveLinks(file);
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 64 * 1024);
                 JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeStringField("format", FORMAT);
                g.writeNumberField("version", VERSION);
                g.writeNumberField("bucket_seconds", settings.bucketSeconds());
                g.writeNumberField("saved_at", savedAtSeconds);
                g.writeArrayFieldStart("processes");
                for (SavedHistory h : histories) {
                    writeEntry(g, h);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
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

    /** The file a path finally names: symlinks followed (relative targets from the link's directory). */
    static Path resolveLinks(Path file) throws IOException {
        Path p = file.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops >= MAX_LINK_HOPS) {
                throw new IOException(file + ": too many levels of symbolic links");
            }
            Path target = Files.readSymbolicLink(p);
            p = p.getParent().resolve(target).normalize();
        }
        return p;
    }

    /** Renames the file (the file a symlink points to) to {@code NAME.YYYYMMDDTHHMMSSZ} next to it; returns the new name. */
    static Path moveAside(Path file, Instant now) throws IOException {
        Path target = resolveLinks(file);
        Path aside = target.resolveSibling(target.getFileName() + "." + ASIDE.format(now));
        for (int n = 2; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); n++) {
            aside = target.resolveSibling(target.getFileName() + "." + ASIDE.format(now) + "-" + n);
        }
        Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
        return aside;
    }

    // ---------------------------------------------------------------- reading

    /** A problem with the file as a whole: ends the read. */
    private static final class Refused extends Exception {
        final Status status;

        Refused(Status status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** A problem with one entry: skips it. */
    private static final class BadEntry extends Exception {
        BadEntry(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads the file within {@code limits}; never throws. */
    static Loaded read(Path file, Limits limits, double nowSeconds) {
        Path target;
        long size;
        try {
            target = resolveLinks(file);
            if (!Files.exists(target)) {
                return new Loaded(List.of(), Status.MISSING, null);
            }
            if (!Files.isRegularFile(target)) {
                return new Loaded(List.of(), Status.FOREIGN, file + " is not a regular file: leaving it alone, the leak history "
                        + "will not be saved (point --leak.state-file at a file)");
            }
            size = Files.size(target);
        } catch (IOException | RuntimeException e) {
            return new Loaded(List.of(), Status.FOREIGN, "cannot read " + file + " (" + oneLine(e) + "): leaving it alone, "
                    + "the leak history will not be saved");
        }
        if (size == 0) {
            return new Loaded(List.of(), Status.MISSING, null);
        }
        List<SavedHistory> out = new ArrayList<>();
        int[] skipped = {0};
        String[] firstProblem = {null};
        try (InputStream in = Files.newInputStream(target);
             JsonParser p = factory(limits).createParser(in)) {
            readDocument(p, file, limits, nowSeconds, size, out, skipped, firstProblem);
        } catch (NoSuchFileException e) {
            return new Loaded(List.of(), Status.MISSING, null);
        } catch (Refused e) {
            return new Loaded(e.status == Status.PARTLY ? List.copyOf(out) : List.of(), e.status, e.getMessage());
        } catch (StreamConstraintsException e) {
            return partly(file, out, "breaks a limit (" + oneLine(e) + ")");
        } catch (IOException | RuntimeException | StackOverflowError e) {
            // broken JSON after a valid header: keep what was read before it
            return partly(file, out, "is damaged (" + oneLine(e) + ")");
        }
        if (skipped[0] > 0) {
            return new Loaded(List.copyOf(out), Status.PARTLY, file + ": restored " + out.size() + " histories, skipped "
                    + skipped[0] + " invalid ones (first: " + firstProblem[0] + ")");
        }
        return new Loaded(List.copyOf(out), Status.RESTORED, null);
    }

    private static Loaded partly(Path file, List<SavedHistory> out, String what) {
        return new Loaded(List.copyOf(out), Status.PARTLY, file + " " + what + "; restored the " + out.size()
                + " histories before the problem");
    }

    private static void readDocument(JsonParser p, Path file, Limits limits, double nowSeconds, long size,
                                     List<SavedHistory> out, int[] skipped, String[] firstProblem) throws IOException, Refused {
        String foreign = file + " is not a leakwatch leak state file: leaving it alone, the leak history will not be saved "
                + "(point --leak.state-file elsewhere, or remove the file)";
        JsonToken t;
        try {
            t = p.nextToken();
            if (t != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME || !"format".equals(p.currentName())
                    || p.nextToken() != JsonToken.VALUE_STRING || !FORMAT.equals(p.getText())) {
                throw new Refused(Status.FOREIGN, foreign);
            }
        } catch (IOException | RuntimeException e) {
            throw new Refused(Status.FOREIGN, foreign);
        }
        // ours from here on: problems keep the file aside instead of losing it
        if (size > limits.maxFileBytes()) {
            throw new Refused(Status.UNUSABLE, file + " is " + size + " bytes, more than the " + limits.maxFileBytes()
                    + " that " + limits.maxEntries() + " histories can take with these --leak.* settings");
        }
        boolean headerChecked = false;
        Double bucketSeconds = null;
        Integer version = null;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "version" -> version = p.currentToken() == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                case "bucket_seconds" -> bucketSeconds = p.currentToken().isNumeric() ? p.getDoubleValue() : Double.NaN;
                case "processes" -> {
                    checkHeader(file, limits, version, bucketSeconds);
                    headerChecked = true;
                    readProcesses(p, file, limits, nowSeconds, out, skipped, firstProblem);
                }
                default -> p.skipChildren();
            }
        }
        if (!headerChecked) {
            checkHeader(file, limits, version, bucketSeconds);
        }
        if (t != JsonToken.END_OBJECT) {
            throw new Refused(Status.PARTLY, file + " is damaged after the list of processes; restored the " + out.size()
                    + " histories read");
        }
    }

    private static void checkHeader(Path file, Limits limits, Integer version, Double bucketSeconds) throws Refused {
        if (version == null || version != VERSION) {
            throw new Refused(Status.UNUSABLE, file + " has format version " + (version == null ? "none" : version)
                    + ", this leakwatch reads " + VERSION);
        }
        if (bucketSeconds == null || !(Math.abs(bucketSeconds - limits.bucketSeconds()) <= 1e-6 * limits.bucketSeconds())) {
            throw new Refused(Status.UNUSABLE, file + " was saved with another --leak.window (buckets of " + bucketSeconds
                    + "s, now " + limits.bucketSeconds() + "s)");
        }
    }

    private static void readProcesses(JsonParser p, Path file, Limits limits, double nowSeconds, List<SavedHistory> out,
                                      int[] skipped, String[] firstProblem) throws IOException, Refused {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new Refused(Status.UNUSABLE, file + ": \"processes\" is not a list");
        }
        int entries = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IOException("ends inside the list of processes");
            }
            if (++entries > limits.maxEntries()) {
                throw new Refused(Status.PARTLY, file + " holds more than " + limits.maxEntries()
                        + " histories (the most these --leak.* settings keep); restored the first " + out.size());
            }
            if (t != JsonToken.START_OBJECT) {
                if (t == JsonToken.START_ARRAY) {
                    p.skipChildren();
                }
                skipped[0]++;
                if (firstProblem[0] == null) {
                    firstProblem[0] = "entry " + entries + ": not an object";
                }
                continue;
            }
            int depth = p.getParsingContext().getNestingDepth();
            try {
                SavedHistory h = readEntry(p, limits, nowSeconds);
                if (h != null) {
                    out.add(h);
                }
            } catch (BadEntry e) {
                skipped[0]++;
                if (firstProblem[0] == null) {
                    firstProblem[0] = "entry " + entries + ": " + e.getMessage();
                }
                skipRestOfEntry(p, depth);
            }
        }
    }

    /** After a bad field, reads on to the end of the entry's object (at nesting {@code depth}). */
    private static void skipRestOfEntry(JsonParser p, int depth) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
        }
        while (p.getParsingContext().getNestingDepth() >= depth) {
            t = p.nextToken();
            if (t == null) {
                throw new IOException("ends inside an entry");
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                p.skipChildren();
            }
        }
    }

    private static SavedHistory readEntry(JsonParser p, Limits limits, double nowSeconds) throws IOException, BadEntry {
        long pid = -1;
        double start = Double.NaN;
        String name = null;
        ServiceIdentity service = null;
        double first = Double.NaN;
        double last = Double.NaN;
        double lastPrivate = Double.NaN;
        double lastHandles = Double.NaN;
        boolean suspect = false;
        boolean ended = false;
        long firstBucket = -1;
        double[] priv = null;
        double[] hand = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "pid" -> pid = integer(p, v, "pid", 0, 0xFFFF_FFFFL);
                case "start_time" -> start = finite(p, v, "start_time");
                case "name" -> {
                    if (v != JsonToken.VALUE_STRING || p.getTextLength() > MAX_NAME) {
                        throw new BadEntry("name is not a string of at most " + MAX_NAME + " characters");
                    }
                    name = p.getText();
                }
                case "service" -> {
                    if (v != JsonToken.VALUE_NULL) {
                        service = v == JsonToken.VALUE_STRING ? ServiceIdentity.parse(p.getText()) : null;
                        if (service == null) {
                            throw new BadEntry("service is not 32 hex digits");
                        }
                    }
                }
                case "first_sample" -> first = finite(p, v, "first_sample");
                case "last_sample" -> last = finite(p, v, "last_sample");
                case "last_private_bytes" -> lastPrivate = nonNegativeOrNull(p, v, "last_private_bytes");
                case "last_handles" -> lastHandles = nonNegativeOrNull(p, v, "last_handles");
                case "suspect" -> suspect = bool(v, "suspect");
                case "ended" -> ended = bool(v, "ended");
                case "first_bucket" -> firstBucket = integer(p, v, "first_bucket", 0, Long.MAX_VALUE / 2);
                case "private_floors" -> priv = floors(p, v, "private_floors");
                case "handle_floors" -> hand = floors(p, v, "handle_floors");
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("ends inside an entry");
        }
        if (pid < 0 || Double.isNaN(start) || name == null || Double.isNaN(first) || Double.isNaN(last) || firstBucket < 0
                || priv == null || hand == null) {
            throw new BadEntry("a field is missing (pid, start_time, name, first_sample, last_sample, first_bucket, "
                    + "private_floors, handle_floors)");
        }
        if (priv.length != hand.length) {
            throw new BadEntry("private_floors and handle_floors differ in length");
        }
        double b = limits.bucketSeconds();
        if (!(start >= 0 && start <= first + b && first <= last && last <= nowSeconds + 86400)) {
            throw new BadEntry("times out of order: start_time <= first_sample <= last_sample <= now must hold");
        }
        long firstSampleBucket = (long) Math.floor(first / b);
        long lastSampleBucket = (long) Math.floor(last / b);
        if (priv.length > 0 && (firstBucket < firstSampleBucket || firstBucket + priv.length - 1 > lastSampleBucket)) {
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
        int k = 0;
        for (int i = 0; i < priv.length; i++) {
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

    private static long integer(JsonParser p, JsonToken v, String field, long min, long max) throws IOException, BadEntry {
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw new BadEntry(field + " is not an integer");
        }
        long x;
        try {
            x = p.getLongValue();
        } catch (IOException e) {
            throw new BadEntry(field + " is out of range");
        }
        if (x < min || x > max) {
            throw new BadEntry(field + " is out of range");
        }
        return x;
    }

    private static double finite(JsonParser p, JsonToken v, String field) throws IOException, BadEntry {
        if (v == null || !v.isNumeric()) {
            throw new BadEntry(field + " is not a number");
        }
        double x = p.getDoubleValue();
        if (!Double.isFinite(x) || x < 0) {
            throw new BadEntry(field + " is not a finite, non-negative number");
        }
        return x;
    }

    private static double nonNegativeOrNull(JsonParser p, JsonToken v, String field) throws IOException, BadEntry {
        return v == JsonToken.VALUE_NULL ? Double.NaN : finite(p, v, field);
    }

    private static boolean bool(JsonToken v, String field) throws BadEntry {
        if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
            throw new BadEntry(field + " is not true or false");
        }
        return v == JsonToken.VALUE_TRUE;
    }

    private static double[] floors(JsonParser p, JsonToken v, String field) throws IOException, BadEntry {
        if (v != JsonToken.START_ARRAY) {
            throw new BadEntry(field + " is not a list");
        }
        double[] out = new double[LeakSettings.BUCKETS + 1];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IOException("ends inside " + field);
            }
            if (n == out.length) {
                throw new BadEntry(field + " has more than " + out.length + " buckets");
            }
            out[n++] = nonNegativeOrNull(p, t, field);
        }
        return Arrays.copyOf(out, n);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        m = m.replace('\r', ' ').replace('\n', ' ');
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }
}
