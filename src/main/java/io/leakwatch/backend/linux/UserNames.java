package io.leakwatch.backend.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * uid -> user name through libc's getpwuid_r, so NSS (LDAP, sssd) names resolve as `ps` shows
 * them; the number when the uid has no name. A name is asked for once per new process (the owner is
 * part of what is read once per process lifetime), and kept per uid for a while, so a process
 * start costs a map lookup: a name for {@code successTtlMillis} (a renamed user shows under the new
 * name in new processes after that), a uid without a name for {@code failureTtlMillis} (an NSS
 * source that was down must not pin numbers for the exporter's lifetime). At most
 * {@code maxEntries} uids are kept. Used by the collection thread only.
 */
final class UserNames {
    private static final int PASSWD_STRUCT_BYTES = 128; // struct passwd is 48 bytes on x86-64/arm64
    private static final int STRING_BUFFER_BYTES = 16 * 1024;

    /** One lookup: the name, or null when the uid has none or the lookup failed. */
    @FunctionalInterface
    interface Lookup {
        String nameOf(long uid);
    }

    private record Entry(String label, long expiresAtMillis) {
    }

    private final Lookup lookup;
    private final LongSupplier clockMillis;
    private final long successTtlMillis;
    private final long failureTtlMillis;
    private final int maxEntries;
    private final Map<Long, Entry> cache = new HashMap<>();

    /** Defaults: names kept 10 minutes, a uid without a name asked again after a minute, 4,096 uids. */
    UserNames(LinuxLibC libc) {
        this(uid -> lookUp(libc, uid), () -> System.nanoTime() / 1_000_000, 10 * 60_000, 60_000, 4096);
    }

    UserNames(Lookup lookup, LongSupplier clockMillis, long successTtlMillis, long failureTtlMillis, int maxEntries) {
        this.lookup = lookup;
        this.clockMillis = clockMillis;
        this.successTtlMillis = successTtlMillis;
        this.failureTtlMillis = failureTtlMillis;
        this.maxEntries = maxEntries;
    }

    String nameOf(long uid) {
        long now = clockMillis.getAsLong();
        Entry known = cache.get(uid);
        if (known != null && now - known.expiresAtMillis < 0) {
            return known.label;
        }
        String name = lookup.nameOf(uid);
        if (known == null && cache.size() >= maxEntries) {
            cache.values().removeIf(e -> now - e.expiresAtMillis >= 0);
            if (cache.size() >= maxEntries) {
                cache.clear(); // bounded: a churn of distinct uids starts the cache over
            }
        }
        Entry entry = name == null ? new Entry(Long.toString(uid), now + failureTtlMillis) : new Entry(name, now + successTtlMillis);
        cache.put(uid, entry);
        return entry.label;
    }

    int size() {
        return cache.size();
    }

    private static String lookUp(LinuxLibC libc, long uid) {
        if (libc == null || uid < 0 || uid > 0xFFFF_FFFFL) {
            return null;
        }
        try (Memory pwd = new Memory(PASSWD_STRUCT_BYTES); Memory strings = new Memory(STRING_BUFFER_BYTES)) {
            PointerByReference result = new PointerByReference();
            int rc = libc.getpwuid_r((int) uid, pwd, strings, STRING_BUFFER_BYTES, result);
            if (rc != 0 || result.getValue() == null) {
                return null;
            }
            Pointer name = pwd.getPointer(0); // pw_name is the first member
            return name == null ? null : name.getString(0, "UTF-8");
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return null;
        }
    }
}
