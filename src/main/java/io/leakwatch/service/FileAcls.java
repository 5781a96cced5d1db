package io.leakwatch.service;

import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.WinNT;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** Reads a file's ACL through jna-platform (Windows only) for {@link WritableByOthers}. */
final class FileAcls {
    private FileAcls() {
    }

    /** @return account names (or SID strings) of non-administrators allowed to change {@code path} */
    static List<String> writersOtherThanAdministrators(String path) {
        File file = new File(path);
        if (!file.exists()) {
            return List.of();
        }
        List<WritableByOthers.Ace> acl;
        try {
            // GetNamedSecurityInfo returns its error itself (getFileSecurity reads GetLastError late, and
            // fails on a NULL DACL, which it would have reported as "no writers")
            acl = aces(Advapi32Util.getFileSecurityDescriptor(file, false));
        } catch (RuntimeException | LinkageError e) {
            return List.of(); // unreadable permissions: nothing to say
        }
        List<String> names = new ArrayList<>();
        for (String sid : WritableByOthers.trustees(acl)) {
            try {
                names.add(Advapi32Util.getAccountBySid(sid).fqn);
            } catch (RuntimeException e) {
                names.add(sid);
            }
        }
        return names;
    }

    /**
     * The access entries of a self-relative security descriptor, or null when it has no DACL (the
     * SE_DACL_PRESENT bit clear, or a NULL DACL): no access control at all, everyone may do anything.
     */
    static List<WritableByOthers.Ace> aces(WinNT.SECURITY_DESCRIPTOR_RELATIVE descriptor) {
        WinNT.ACL dacl = (descriptor.Control & WinNT.SE_DACL_PRESENT) == 0 ? null : descriptor.getDiscretionaryACL();
        if (dacl == null) {
            return null;
        }
        List<WritableByOthers.Ace> acl = new ArrayList<>();
        for (WinNT.ACE_HEADER header : dacl.getACEs()) {
            if (header instanceof WinNT.ACCESS_ACEStructure ace) {
                acl.add(new WritableByOthers.Ace(ace.AceType, ace.AceFlags, ace.Mask, ace.getSidString()));
            }
        }
        return acl;
    }
}
