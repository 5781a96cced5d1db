package io.leakwatch.service;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.leakwatch.service.WritableByOthers.Ace;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Who besides administrators may change a file, from its access control entries. */
class WritableByOthersTest {
    private static final int READ_EXECUTE = 0x1200A9;
    private static final int MODIFY = 0x1301BF;
    private static final int FULL = 0x1F01FF;

    @Test
    void programFilesDefaultsAreAdministratorsOnly() {
        List<Ace> acl = List.of(
                new Ace(0, 0, FULL, "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"), // TrustedInstaller
                new Ace(0, 0, FULL, "S-1-5-18"),
                new Ace(0, 0, FULL, "S-1-5-32-544"),
                new Ace(0, 0, READ_EXECUTE, "S-1-5-32-545"), // Users may read
                new Ace(0, 0x0B, 0x10000000, "S-1-3-0")); // CREATOR OWNER, inherit only
        assertEquals(List.of(), WritableByOthers.trustees(acl));
    }

    @Test
    void usersOrAUserProfileOwnerWithWriteRightsAreNamed() {
        List<Ace> acl = List.of(
                new Ace(0, 0, FULL, "S-1-5-18"),
                new Ace(0, 0, MODIFY, "S-1-5-11"), // Authenticated Users: Modify (C:\ root folders)
                new Ace(0, 0, 0x4, "S-1-5-32-545"), // Users: create folders
                new Ace(0, 0, FULL, "S-1-5-21-1004336348-1177238915-682003330-1001")); // bob owns his profile
        assertEquals(List.of("S-1-5-11", "S-1-5-32-545", "S-1-5-21-1004336348-1177238915-682003330-1001"),
                WritableByOthers.trustees(acl));
    }

    @Test
    void anEarlierDenyRemovesTheRightsItNames() {
        List<Ace> acl = List.of(
                new Ace(1, 0, 0x2 | 0x4 | 0x10 | 0x40 | 0x10000 | 0x40000 | 0x80000 | 0x40000000 | 0x10000000, "S-1-1-0"),
                new Ace(0, 0, FULL, "S-1-1-0"));
        assertEquals(List.of(), WritableByOthers.trustees(acl));
        assertEquals(List.of("S-1-1-0"), WritableByOthers.trustees(List.of(new Ace(1, 0, 0x2, "S-1-1-0"),
                new Ace(0, 0, FULL, "S-1-1-0"))), "denying only write-data leaves delete and write-DAC");
    }

    @Test
    void domainAdministratorsAreAdministrators() {
        assertEquals(List.of(), WritableByOthers.trustees(List.of(
                new Ace(0, 0, FULL, "S-1-5-21-1-2-3-512"), new Ace(0, 0, FULL, "S-1-5-21-1-2-3-519"),
                new Ace(0, 0, FULL, "S-1-5-21-1-2-3-500"))));
    }

    /**
     * A NULL DACL (a descriptor without one, or with a DACL that is absent) grants everyone every
     * right: it is the worst case, not "no writers".
     */
    @Test
    void noAccessControlListMeansEveryoneMayWrite() {
        assertEquals(List.of("S-1-1-0"), WritableByOthers.trustees(null));
        assertEquals(List.of(), WritableByOthers.trustees(List.of()), "an empty list grants nobody anything");
    }

    /** What FileAcls hands over from a file's self-relative security descriptor, as GetNamedSecurityInfo returns it. */
    @Test
    void aDescriptorWithANullDaclHasNoEntriesToReadButEveryoneWrites() {
        // SECURITY_DESCRIPTOR_RELATIVE: revision 1, control SE_SELF_RELATIVE|SE_DACL_PRESENT, every offset 0
        assertEquals(null, FileAcls.aces(descriptor(0x8004, new byte[0])), "DACL present, pointer NULL");
        assertEquals(null, FileAcls.aces(descriptor(0x8000, new byte[0])), "no DACL at all");
        byte[] emptyAcl = {2, 0, 8, 0, 0, 0, 0, 0}; // ACL revision 2, size 8, no ACEs
        assertEquals(List.of(), FileAcls.aces(descriptor(0x8004, emptyAcl)));
    }

    private static com.sun.jna.platform.win32.WinNT.SECURITY_DESCRIPTOR_RELATIVE descriptor(int control, byte[] acl) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(20 + acl.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 1).put((byte) 0).putShort((short) control).putInt(0).putInt(0).putInt(0).putInt(acl.length == 0 ? 0 : 20);
        b.put(acl);
        com.sun.jna.Memory memory = new com.sun.jna.Memory(b.capacity());
        memory.write(0, b.array(), 0, b.capacity());
        return new com.sun.jna.platform.win32.WinNT.SECURITY_DESCRIPTOR_RELATIVE(memory);
    }
}
