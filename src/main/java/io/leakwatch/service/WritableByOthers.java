package io.leakwatch.service;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides from a file's access control entries whether someone other than an administrator may
 * change it. The service runs as LocalSystem, so whoever can replace its jar, its JNA library or
 * its Java runtime can run code as LocalSystem. Plain Java over the entries; reading them is the
 * caller's job (jna-platform's Advapi32Util.getFileSecurity on Windows).
 */
final class WritableByOthers {
    /** FILE_WRITE_DATA/ADD_FILE, FILE_APPEND_DATA/ADD_SUBDIRECTORY, FILE_WRITE_EA, FILE_DELETE_CHILD,
     * DELETE, WRITE_DAC, WRITE_OWNER, GENERIC_WRITE, GENERIC_ALL. */
    static final int WRITE_RIGHTS = 0x2 | 0x4 | 0x10 | 0x40 | 0x10000 | 0x40000 | 0x80000 | 0x40000000 | 0x10000000;
    static final int ACCESS_ALLOWED = 0;
    static final int ACCESS_DENIED = 1;
    /** AceFlags: the entry only passes to children, it does not apply to this object. */
    static final int INHERIT_ONLY = 0x08;

    /** One ACE: its type (0 allowed, 1 denied), flags, access mask and trustee SID (S-1-...). */
    record Ace(int type, int flags, int mask, String sid) {
    }

    private WritableByOthers() {
    }

    /**
     * @return the SIDs that are not administrators and are allowed to change the object, in ACL
     *         order (a deny entry earlier in the list removes the rights it names)
     */
    static List<String> trustees(List<Ace> acl) {
        Set<String> out = new LinkedHashSet<>();
        java.util.Map<String, Integer> denied = new java.util.HashMap<>();
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
