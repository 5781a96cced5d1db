package io.leakwatch.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The web config of the moment. exporter-toolkit reads its file on every request and handshake;
 * leakwatch looks at the files' metadata instead (size, time, identity of the config file and of
 * the certificate, key and CA files it names: a few stat calls) and reads them again only when one
 * changed. A file's time has the kernel's clock tick for granularity, so two writes of the same
 * size within a tick look alike: while a file was changed less than {@link #SETTLE_NANOS} ago,
 * its content is compared too. A file is taken only once it has not changed for
 * {@link #QUIET_MILLIS}: a tool that truncates a file and then writes it must not be caught in
 * between (an empty file would be a valid config without TLS or passwords). So a renewed
 * certificate is served from the first handshake after that, and a changed password applies from
 * the first request after that. A file that no longer reads or checks keeps the last good config,
 * and says so once in the log (again only when the files change again); so does one that turns TLS
 * on or off, or drops every password (as a file caught emptied or half-written would), which
 * takes a restart. Thread-safe.
 */
final class LiveWebConfig {
    private static final Logger LOG = LoggerFactory.getLogger(LiveWebConfig.class);

    static final long SETTLE_NANOS = 2_000_000_000L;
    static final long QUIET_MILLIS = 100;

    private volatile WebConfig current;
    private volatile List<Stamp> stamps;   // of current.watchedFiles(), or of the files that failed last
    private volatile String digest;        // of their content, for changes within a clock tick
    private volatile RateLimiter rateLimit;

    LiveWebConfig(WebConfig initial) {
        this.current = initial;
        this.stamps = stamps(initial.watchedFiles());
        this.digest = digest(initial.watchedFiles());
        this.rateLimit = new RateLimiter(initial.rateLimit());
    }

    /** The config to use now: read again first when one of its files changed. */
    WebConfig current() {
        WebConfig c = current;
        if (c.file() == null) {
            return c;
        }
        List<Stamp> now = stamps(c.watchedFiles());
        if ((!now.equals(stamps) || recent(now, SETTLE_NANOS / 1_000_000) && !digest(c.watchedFiles()).equals(digest))
                && !recent(now, QUIET_MILLIS)) {
            reload();
        }
        return current;
    }

    /** A file changed less than {@code millis} ago (a time more than a second ahead of the clock counts as old). */
    private static boolean recent(List<Stamp> stamps, long millis) {
        long now = System.currentTimeMillis();
        for (Stamp s : stamps) {
            if (s != Stamp.MISSING) {
                long age = now - s.modified().toMillis();
                if (age < millis && age > -1000) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * SHA-256 over the files' bytes; "" when one cannot be read (then the stamps tell). Read as the
     * certificates are, bounded: a file that grows or is swapped for a device after a size check
     * is never read whole.
     */
    private static String digest(List<Path> files) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                sha.update(PemFiles.read(f, ""));
                sha.update((byte) 0);
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (IllegalArgumentException | java.security.NoSuchAlgorithmException e) {
            return "";
        }
    }

    RateLimiter rateLimit() {
        return rateLimit;
    }

    private synchronized void reload() {
        WebConfig old = current;
        List<Stamp> now = stamps(old.watchedFiles());
        String content = digest(old.watchedFiles());
        if (content.equals(digest) && !content.isEmpty()) {
            stamps = now; // touched, or another thread was first
            return;
        }
        digest = content;
        try {
            WebConfig fresh = WebConfig.load(old.file());
            if ((fresh.tls() == null) != (old.tls() == null)) {
                throw new IllegalArgumentException("--web.config.file " + old.file() + ": TLS was turned "
                        + (fresh.tls() == null ? "off" : "on") + " in the file, which takes a restart");
            }
            // an emptied or half-written file reads as "no users": that must not open the door
            if (fresh.users().isEmpty() && !old.users().isEmpty()) {
                throw new IllegalArgumentException("--web.config.file " + old.file()
                        + ": basic_auth_users is gone from the file; turning passwords off takes a restart");
            }
            current = fresh;
            stamps = stamps(fresh.watchedFiles());
            digest = digest(fresh.watchedFiles());
            if (!Objects.equals(fresh.rateLimit(), old.rateLimit())) {
                rateLimit = new RateLimiter(fresh.rateLimit());
            }
            LOG.info("--web.config.file {}: read again after a change", old.file());
        } catch (IllegalArgumentException e) {
            stamps = now; // said once, until the files change again
            LOG.warn("{}; keeping the previous web config until the file is fixed", e.getMessage());
        }
    }

    /** What identifies a file's content without reading it (the file key tells a file renamed into place). */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static final Stamp MISSING = new Stamp(FileTime.fromMillis(0), -1, null);
    }

    private static List<Stamp> stamps(List<Path> files) {
        List<Stamp> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                out.add(new Stamp(a.lastModifiedTime(), a.size(), a.fileKey()));
            } catch (IOException e) {
                out.add(Stamp.MISSING);
            }
        }
        return out;
    }

    /**
     * rate_limit: a token bucket over all requests, as Go's golang.org/x/time/rate limiter that
     * exporter-toolkit uses: one token every interval, at most burst held, a request takes one.
     */
    static final class RateLimiter {
        private final long intervalNanos; // 0: off
        private final int burst;
        private double tokens;
        private long lastNanos;

        RateLimiter(WebConfig.RateLimit limit) {
            this.intervalNanos = limit.on() ? Math.max(1, limit.interval().toNanos()) : 0;
            this.burst = limit.burst();
            this.tokens = burst;
            this.lastNanos = System.nanoTime();
        }

        synchronized boolean tryAcquire() {
            if (intervalNanos == 0) {
                return true;
            }
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (double) (now - lastNanos) / intervalNanos);
            lastNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
