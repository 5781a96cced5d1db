package io.leakwatch.backend.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/** The two libc calls the JDK does not offer: user names by uid, and the clock tick rate. */
interface LinuxLibC extends Library {
    int SC_CLK_TCK = 2;
    String PLATFORM_LIBRARY_PATH = "jna.platform.library.path";

    int getpwuid_r(int uid, Pointer pwd, Pointer buf, long buflen, PointerByReference result) throws LastErrorException;

    long sysconf(int name) throws LastErrorException;

    /** The loaded library, or null where libc cannot be loaded (callers then use fallbacks). */
    static LinuxLibC loadOrNull() {
        // Without this property JNA runs "ldconfig -p" to learn the library folders before its first load: a
        // fork and exec at every start for nothing, since on Linux it opens "c" as the process's own symbols.
        if (System.getProperty(PLATFORM_LIBRARY_PATH) == null) {
            System.setProperty(PLATFORM_LIBRARY_PATH, "");
        }
        try {
            return Native.load("c", LinuxLibC.class);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }
}
