package io.leakwatch.common;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionTest {
    @Test
    void goNamesForJavasPlatformNames() {
        Map.of("amd64", "amd64", "x86_64", "amd64", "aarch64", "arm64", "x86", "386", "riscv64", "riscv64")
                .forEach((java, go) -> assertEquals(go, Version.goarch(java), java));
        Map.of("Windows Server 2022", "windows", "Windows 11", "windows", "Linux", "linux", "Mac OS X", "darwin", "FreeBSD", "freebsd")
                .forEach((java, go) -> assertEquals(go, Version.goos(java), java));
    }

    @Test
    void everyBuildFieldIsFilledOrUnknown() {
        for (String field : new String[]{Version.VERSION, Version.REVISION, Version.BRANCH, Version.BUILD_USER, Version.BUILD_DATE}) {
            assertFalse(field.isBlank() || field.contains("${"), "a field Maven did not fill: '" + field + "'");
        }
        assertTrue(Version.BUILD_DATE.matches("\\d{8}-\\d\\d:\\d\\d:\\d\\d|unknown"), Version.BUILD_DATE);
        assertTrue(Version.REVISION.matches("[0-9a-f]{40}(-modified)?|unknown"), Version.REVISION);
        assertTrue(Version.runtime().startsWith("java" + Runtime.version().feature()), Version.runtime());
    }
}
