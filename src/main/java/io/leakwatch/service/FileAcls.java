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
        if (!new File(path).exists()) {
            return List.of();
        }
        List<WritableByOthers.Ace> acl = new ArrayList<>();
        try {
            for (WinNT.ACE_HEADER header : Advapi32Util.getFileSecurity(path, false)) {
                if (header instanceof WinNT.ACCESS_ACEStructure ace) {
                    acl.add(new WritableByOthers.Ace(ace.AceType, ace.AceFlags, ace.Mask, ace.getSidString()));
                }
            }
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
}
