package io.leakwatch.backend.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.util.HashMap;
import java.util.Map;

/**
 * uid -> user name through libc's getpwuid_r, so NSS (LDAP, sssd) names resolve as `ps` shows
 * them. Cached per uid; falls back to the number when the uid has no entry.
 */
final class UserNames {
    private static final int PASSWD_STRUCT_BYTES = 128; // struct passwd is 48 bytes on x86-64/arm64
    private static final int STRING_BUFFER_BYTES = 16 * 1024;

    private final Map<Long, String> cache = new HashMap<>();
    private final LinuxLibC libc; // null: names fall back to numbers

    UserNames(LinuxLibC libc) {
        this.libc = libc;
    }

    String nameOf(long uid) {
        return cache.computeIfAbsent(uid, this::lookUp);
    }

    private String lookUp(long uid) {
        if (libc == null || uid < 0 || uid > 0xFFFF_FFFFL) {
            return Long.toString(uid);
        }
        try (Memory pwd = new Memory(PASSWD_STRUCT_BYTES); Memory strings = new Memory(STRING_BUFFER_BYTES)) {
            PointerByReference result = new PointerByReference();
            int rc = libc.getpwuid_r((int) uid, pwd, strings, STRING_BUFFER_BYTES, result);
            if (rc != 0 || result.getValue() == null) {
                return Long.toString(uid);
            }
            Pointer name = pwd.getPointer(0); // pw_name is the first member
            return name == null ? Long.toString(uid) : name.getString(0, "UTF-8");
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return Long.toString(uid);
        }
    }
}
