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
}
