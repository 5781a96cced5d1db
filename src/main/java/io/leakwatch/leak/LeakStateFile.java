package io.leakwatch.leak;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValueFactory;
import io.leakwatch.config.LeakSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The history across restarts: a JSON file (read and written with Typesafe Config), replaced
 * atomically (temp file in the same directory, then rename) so a crash mid-write leaves the old one.
 * A file with another format, another window or broken JSON is refused with a one-line reason.
 */
final class LeakStateFile {
    static final String FORMAT = "leakwatch-leak-state";
    static final int VERSION = 1;

    private LeakStateFile() {
    }

    /** The file did not hold a usable state; the message is one line for the log. */
    static final class Unusable extends Exception {
        Unusable(String message) {
            super(message, null, false, false);
        }
    }

    static void write(Path file, LeakSettings settings, double savedAtSeconds, List<SavedHistory> histories) throws IOException {
        List<Object> processes = new ArrayList<>(histories.size());
        for (SavedHistory h : histories) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("pid", h.pid());
            p.put("start_time", h.startTimeSeconds());
            p.put("name", h.name());
            p.put("first_sample", h.firstSample());
            p.put("last_sample", h.lastSample());
            p.put("last_private_bytes", number(h.lastPrivateBytes()));
            p.put("last_handles", number(h.lastHandles()));
            List<Object> buckets = new ArrayList<>();
            FloorHistory.Buckets b = h.buckets();
            for (int i = 0; i < b.ids().length; i++) {
                buckets.add(java.util.Arrays.asList(b.ids()[i], number(b.privateFloors()[i]), number(b.handleFloors()[i])));
            }
            p.put("buckets", buckets);
            processes.add(p);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("bucket_seconds", settings.bucketSeconds());
        root.put("saved_at", savedAtSeconds);
        root.put("processes", processes);
        String json = ConfigValueFactory.fromMap(root).render(ConfigRenderOptions.concise());

        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temp, json, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** NaN and infinities are not JSON: they are written as null. */
    private static Object number(double v) {
        return Double.isFinite(v) ? (Object) v : null;
    }

    /** @return the saved histories; empty when the file does not exist */
    static List<SavedHistory> read(Path file, LeakSettings settings) throws Unusable {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | RuntimeException e) {
            throw new Unusable("cannot read " + file + ": " + e.getMessage());
        }
        try {
            Config c = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
            if (!c.hasPath("format") || !FORMAT.equals(c.getString("format"))) {
                throw new Unusable(file + " is not a leakwatch leak state file");
            }
            if (c.getInt("version") != VERSION) {
                throw new Unusable(file + " has version " + c.getInt("version") + ", this leakwatch reads " + VERSION);
            }
            double bucketSeconds = c.getDouble("bucket_seconds");
            if (Math.abs(bucketSeconds - settings.bucketSeconds()) > 1e-6 * settings.bucketSeconds()) {
                throw new Unusable(file + " was saved with another --leak.window (buckets of " + bucketSeconds
                        + "s, now " + settings.bucketSeconds() + "s)");
            }
            List<SavedHistory> out = new ArrayList<>();
            for (Config p : c.getConfigList("processes")) {
                List<? extends List<?>> rows = buckets(p);
                int n = rows.size();
                long[] ids = new long[n];
                double[] priv = new double[n];
                double[] hand = new double[n];
                for (int i = 0; i < n; i++) {
                    List<?> row = rows.get(i);
                    ids[i] = ((Number) row.get(0)).longValue();
                    priv[i] = orNaN(row.get(1));
                    hand[i] = orNaN(row.get(2));
                }
                double[] mids = new double[n];
                for (int i = 0; i < n; i++) {
                    mids[i] = (ids[i] + 0.5) * bucketSeconds;
                }
                out.add(new SavedHistory(p.getLong("pid"), p.getDouble("start_time"), p.getString("name"),
                        p.getDouble("first_sample"), p.getDouble("last_sample"), optional(p, "last_private_bytes"),
                        optional(p, "last_handles"), new FloorHistory.Buckets(ids, mids, priv, hand)));
            }
            return out;
        } catch (ConfigException | ClassCastException | IndexOutOfBoundsException e) {
            throw new Unusable(file + " is damaged: " + e.getMessage().replace('\n', ' '));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<? extends List<?>> buckets(Config p) {
        List<Object> raw = (List<Object>) p.getAnyRefList("buckets");
        List<List<?>> rows = new ArrayList<>(raw.size());
        for (Object o : raw) {
            rows.add((List<?>) o);
        }
        return rows;
    }

    /** A JSON null reads as a missing path in Typesafe Config. */
    private static double optional(Config c, String key) {
        return c.hasPath(key) ? c.getDouble(key) : Double.NaN;
    }

    private static double orNaN(Object value) {
        return value == null ? Double.NaN : ((Number) value).doubleValue();
    }
}
