package io.leakwatch.http;

import io.leakwatch.http.WebConfig;
import org.springframework.security.crypto.bcrypt.BCrypt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks {@code Authorization: Basic} against bcrypt hashes (Spring Security's BCrypt), in a way
 * a flood of wrong passwords cannot turn against the exporter, as Prometheus' exporter-toolkit does:
 * <ul>
 * <li>one bcrypt check at a time (bcrypt is meant to be slow: tens of milliseconds each);</li>
 * <li>recent outcomes are remembered, both successes and failures, so a scraper sending the same
 * credentials every scrape pays bcrypt once. The key is an HMAC of user and password under a
 * random key made at start, so the cache never holds a password, nor anything a stolen heap dump
 * could test guesses against offline. Successes and failures live in separate bounded caches:
 * a flood of new wrong passwords can push out old failures but never a scraper's success;</li>
 * <li>at most {@code maxWaiting} requests wait for a bcrypt check at once; more are answered
 * {@link Outcome#BUSY} at once (no bcrypt, no thread held), so failed attempts count against
 * the request limits instead of taking every HTTP thread.</li>
 * </ul>
 * An unknown user pays one bcrypt check against the costliest configured hash, so response time
 * does not tell which user names exist. Thread-safe.
 */
final class BasicAuth {
    static final int SUCCESS_CACHE_SIZE = 64;
    static final int FAILURE_CACHE_SIZE = 1024;
    private static final int MAX_HEADER_CHARS = 4096;

    enum Outcome { ALLOWED, DENIED, BUSY }

    private final Map<String, String> users;
    private final String decoyHash; // a configured hash: unknown users cost the same as known ones
    private final Semaphore waiting;
    private final ReentrantLock bcrypt = new ReentrantLock(true);
    private final Mac keyMac; // null without users: the JCA providers then never load
    private final Map<String, Boolean> successes = lru(SUCCESS_CACHE_SIZE); // guarded by itself
    private final Map<String, Boolean> failures = lru(FAILURE_CACHE_SIZE);  // guarded by itself

    BasicAuth(Map<String, String> users, int maxWaiting) {
        this.users = Map.copyOf(users);
        this.decoyHash = users.values().stream().max(java.util.Comparator.comparingInt(WebConfig::bcryptCost)).orElse(null);
        this.waiting = new Semaphore(Math.max(1, maxWaiting));
        this.keyMac = this.users.isEmpty() ? null : randomKeyMac();
    }

    private static Mac randomKeyMac() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java runtime", e);
        }
    }

    boolean enabled() {
        return !users.isEmpty();
    }

    /** The outcome for an Authorization header (null when absent). */
    Outcome check(String authorizationHeader) {
        if (!enabled() || authorizationHeader == null || authorizationHeader.length() > MAX_HEADER_CHARS
                || !authorizationHeader.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Outcome.DENIED;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorizationHeader.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Outcome.DENIED;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Outcome.DENIED;
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String key = cacheKey(user, password);
        synchronized (successes) {
            if (successes.containsKey(key)) {
                return Outcome.ALLOWED;
            }
        }
        synchronized (failures) {
            if (failures.containsKey(key)) {
                return Outcome.DENIED;
            }
        }
        if (!waiting.tryAcquire()) {
            return Outcome.BUSY;
        }
        boolean ok;
        try {
            bcrypt.lock();
            try {
                ok = verify(user, password);
            } finally {
                bcrypt.unlock();
            }
        } finally {
            waiting.release();
        }
        Map<String, Boolean> cache = ok ? successes : failures;
        synchronized (cache) {
            cache.put(key, Boolean.TRUE);
        }
        return ok ? Outcome.ALLOWED : Outcome.DENIED;
    }

    private boolean verify(String user, String password) {
        String hash = users.get(user);
        try {
            boolean matches = BCrypt.checkpw(password, hash != null ? hash : decoyHash);
            return matches && hash != null;
        } catch (IllegalArgumentException e) {
            return false; // a hash BCrypt cannot read: refused at startup, so not expected
        }
    }

    private String cacheKey(String user, String password) {
        byte[] u = user.getBytes(StandardCharsets.UTF_8);
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        byte[] mac;
        synchronized (keyMac) {
            keyMac.update(java.nio.ByteBuffer.allocate(4).putInt(u.length).array()); // length first: no two pairs share a key
            keyMac.update(u);
            mac = keyMac.doFinal(p);
        }
        return Base64.getEncoder().encodeToString(mac);
    }

    private static Map<String, Boolean> lru(int size) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > size;
            }
        };
    }
}
