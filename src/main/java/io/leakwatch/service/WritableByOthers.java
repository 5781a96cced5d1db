package io.leakwatch.service;

import com.sun.jna.platform.win32.WinNT;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides from a file's access control entries whether someone other than an administrator may
 * change it. The service runs as LocalSystem, so whoever can replace its jar, its JNA library or
 * its Java runtime can run code as LocalSystem. Plain Java over the entries; reading them is the
 * caller's job (jna-platform's Advapi32Util.getFileSecurity on Windows).
 */
final class WritableByOthers {
    /** FILE_WRITE_DATA/ADD_FILE, FILE_APPEND_DATA/ADD_SUBDIRECTORY, FILE_WRITE_EA, FILE_DELETE_CHILD,
     * DELETE, WRITE_DAC, WRITE_OWNER, GENERIC_WRITE, GENERIC_ALL. Compile-time constants: javac copies
     * their values here, so no JNA class loads at run time. */
    static final int WRITE_RIGHTS = WinNT.FILE_WRITE_DATA | WinNT.FILE_APPEND_DATA | WinNT.FILE_WRITE_EA
            | WinNT.FILE_DELETE_CHILD | WinNT.DELETE | WinNT.WRITE_DAC | WinNT.WRITE_OWNER | WinNT.GENERIC_WRITE
            | WinNT.GENERIC_ALL;
    static final int ACCESS_ALLOWED = WinNT.ACCESS_ALLOWED_ACE_TYPE;
    static final int ACCESS_DENIED = WinNT.ACCESS_DENIED_ACE_TYPE;
    /** AceFlags: the entry only passes to children, it does not apply to this object. */
    static final int INHERIT_ONLY = WinNT.INHERIT_ONLY_ACE;

    /** One ACE: its type (0 allowed, 1 denied), flags, access mask and trustee SID (S-1-...). */
    record Ace(int type, int flags, int mask, String sid) {
    }

    private WritableByOthers() {
    }

    /** Everyone (S-1-1-0): who may change an object that has no DACL. */
    static final String EVERYONE = "S-1-1-0";

    /**
     * @param acl the DACL's entries; null when the object has no DACL (a NULL DACL), which lets
     *            everyone do anything
     * @return the SIDs that are not administrators and are allowed to change the object, in ACL
     *         order (a deny entry earlier in the list removes the rights it names)
     */
    static List<String> trustees(List<Ace> acl) {
        if (acl == null) {
            return List.of(EVERYONE);
        }
        Set<String> out = new LinkedHashSet<>();
        Map<String, Integer> denied = new HashMap<>();
        for (Ace ace : acl) {
            if ((ace.flags() & INHERIT_ONLY) != 0) {
                continue;
            }
            if (ace.type() == ACCESS_DENIED) {
                denied.merge(ace.sid(), ace.mask(), (a, b) -> a | b);
            } else if (ace.type() == ACCESS_ALLOWED) {
                int rights = ace.mask() & WRITE_RIGHTS & ~denied.getOrDefault(ace.sid(), 0);
                if (rights != 0 && !isAdministrative(ace.sid())) {
                    out.add(ace.sid());
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** SYSTEM, Administrators, TrustedInstaller, a domain's Domain Admins/Enterprise Admins, the built-in Administrator. */
    static boolean isAdministrative(String sid) {
        return sid.equals("S-1-5-18") || sid.equals("S-1-5-32-544")
                || sid.startsWith("S-1-5-80-956008885-") // NT SERVICE\TrustedInstaller
                || (sid.startsWith("S-1-5-21-") && (sid.endsWith("-500") || sid.endsWith("-512") || sid.endsWith("-519")));
    }
}
