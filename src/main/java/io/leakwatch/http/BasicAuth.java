package io.leakwatch.http;

import org.springframework.security.crypto.bcrypt.BCrypt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks {@code Authorization: Basic} against bcrypt hashes (Spring Security's BCrypt).
 * bcrypt costs tens of milliseconds by design; a scraper sends the same credentials every
 * scrape, so a successful check is remembered by a SHA-256 of user and password (never the
 * password itself), in a small bounded cache. Unknown users still pay one bcrypt check so
 * response time does not reveal which user names exist.
 */
final class BasicAuth {
    private static final int CACHE_SIZE = 64;
    private static final String DUMMY_HASH = BCrypt.hashpw("leakwatch-dummy", BCrypt.gensalt(10));

    private final Map<String, String> users;
    private final Map<String, Boolean> verified = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    BasicAuth(Map<String, String> users) {
        this.users = Map.copyOf(users);
    }

    boolean enabled() {
        return !users.isEmpty();
    }

    /** @return true when the header carries a known user and the matching password */
    boolean allows(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.length() > 4096
                || !authorizationHeader.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorizationHeader.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String hash = users.get(user);
        String cacheKey = digest(user, password);
        synchronized (verified) {
            if (hash != null && verified.containsKey(cacheKey)) {
                return true;
            }
        }
        boolean ok;
        try {
            ok = BCrypt.checkpw(password, hash != null ? hash : DUMMY_HASH) && hash != null;
        } catch (IllegalArgumentException e) {
            ok = false; // a hash BCrypt cannot read (validated at startup, so not expected)
        }
        if (ok) {
            synchronized (verified) {
                verified.put(cacheKey, Boolean.TRUE);
            }
        }
        return ok;
    }

    private static String digest(String user, String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(user.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(password.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
