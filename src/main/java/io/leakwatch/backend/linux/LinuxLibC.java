package io.leakwatch.backend.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/** The two libc calls the JDK does not offer: user names by uid, and the clock tick rate. */
interface LinuxLibC extends Library {
    int SC_CLK_TCK = 2;

    int getpwuid_r(int uid, Pointer pwd, Pointer buf, long buflen, PointerByReference result) throws LastErrorException;

    long sysconf(int name) throws LastErrorException;

    /** The loaded library, or null where libc cannot be loaded (callers then use fallbacks). */
    static LinuxLibC loadOrNull() {
        try {
            return Native.load("c", LinuxLibC.class);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }
}
