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
 * random key made at the first check (a start without users never loads the JCA providers for it),
 * so the cache never holds a password, nor anything a stolen heap dump
 * could test guesses against offline. The key covers the configured hash too, so a changed
 * password in a re-read web config never matches an old entry. Successes and failures live in separate bounded caches:
 * a flood of new wrong passwords can push out old failures but never a scraper's success;</li>
 * <li>at most {@code maxWaiting} requests wait for a bcrypt check at once; more are answered
 * {@link Outcome#BUSY} at once (no bcrypt, no thread held), so failed attempts count against
 * the request limits instead of taking every HTTP thread.</li>
 * </ul>
 * An unknown user pays one bcrypt check against the costliest configured hash, so response time
 * does not tell which user names exist. The users come with each call, from the web config of the
 * moment. Thread-safe.
 */
final class BasicAuth {
    static final int SUCCESS_CACHE_SIZE = 64;
    static final int FAILURE_CACHE_SIZE = 1024;
    private static final int MAX_HEADER_CHARS = 4096;

    enum Outcome { ALLOWED, DENIED, BUSY }

    private final Semaphore waiting;
    private final ReentrantLock bcrypt = new ReentrantLock(true);
    private final Object keyLock = new Object();
    private Mac keyMac; // guarded by keyLock; made at the first check
    private final Map<String, Boolean> successes = lru(SUCCESS_CACHE_SIZE); // guarded by itself
    private final Map<String, Boolean> failures = lru(FAILURE_CACHE_SIZE);  // guarded by itself

    BasicAuth(int maxWaiting) {
        this.waiting = new Semaphore(Math.max(1, maxWaiting));
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

    /** The outcome for an Authorization header (null when absent) against the users of {@code config}. */
    Outcome check(String authorizationHeader, WebConfig config) {
        Map<String, String> users = config.users();
        if (authorizationHeader == null || authorizationHeader.length() > MAX_HEADER_CHARS
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
        String hash = users.get(user);
        String checked = hash != null ? hash : config.decoyHash(); // unknown users cost the same as known ones
        String key = cacheKey(user, checked, password);
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
                ok = verify(checked, password) && hash != null;
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

    private static boolean verify(String hash, String password) {
        try {
            return BCrypt.checkpw(password, hash);
        } catch (IllegalArgumentException e) {
            return false; // a hash BCrypt cannot read: refused at startup, so not expected
        }
    }

    private String cacheKey(String user, String hash, String password) {
        byte[] u = user.getBytes(StandardCharsets.UTF_8);
        byte[] h = hash.getBytes(StandardCharsets.UTF_8);
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        byte[] mac;
        synchronized (keyLock) {
            if (keyMac == null) {
                keyMac = randomKeyMac();
            }
            // lengths first: no two triples share a key
            keyMac.update(java.nio.ByteBuffer.allocate(8).putInt(u.length).putInt(h.length).array());
            keyMac.update(u);
            keyMac.update(h);
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
