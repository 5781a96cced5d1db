package io.leakwatch.stack;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The privileges of the privileged variants (docker-compose.privileged.yml, the privileged
 * DaemonSet), each of the two capabilities alone, and the image's default user, tried without a
 * container: setpriv (util-linux) runs leakwatch with the same user and capability bounding set, and
 * it must see another user's process as the files' comments say.
 */
@Tag("system")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ContainerPrivilegesTest {
    private static final String OTHER_USER = "12345";

    @TempDir
    Path work;
    private Process otherUsersProcess;
    private final List<LocalExporter> exporters = new ArrayList<>();

    @BeforeEach
    void startAnotherUsersProcess() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "setpriv needs root to switch users (CI runs as root)");
        otherUsersProcess = new ProcessBuilder("setpriv", "--reuid=" + OTHER_USER, "--regid=" + OTHER_USER, "--clear-groups",
                "sleep", "100").start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (LocalExporter e : exporters) {
            e.close();
        }
        if (otherUsersProcess != null) {
            otherUsersProcess.destroy();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void privilegedComposeVariantReadsHandlesAndIoOfOtherUsers() throws Exception {
        Map<String, Object> leakwatch = ComposeFile.merged(ComposeFilesTest.LINUX, ComposeFilesTest.PRIVILEGED).service("leakwatch");
        String user = ((String) leakwatch.get("user")).split(":")[0];
        List<String> caps = (List<String>) leakwatch.get("cap_add");
        assertEquals(List.of("ALL"), leakwatch.get("cap_drop"));
        String metrics = scrapeAs(user, caps);
        assertTrue(has(metrics, "windows_process_private_bytes"), "memory of another user's process");
        assertTrue(has(metrics, "windows_process_handles"), "handles of another user's process");
        assertTrue(has(metrics, "windows_process_io_bytes_total"), "I/O of another user's process");
    }

    /** Why DAC_READ_SEARCH is there: SYS_PTRACE alone cannot open another user's /proc/PID/io (mode 0400). */
    @Test
    void ptraceAloneDoesNotReadIo() throws Exception {
        String metrics = scrapeAs("0", List.of("SYS_PTRACE"));
        assertTrue(has(metrics, "windows_process_private_bytes"), "memory of another user's process");
        assertFalse(has(metrics, "windows_process_io_bytes_total"), "SYS_PTRACE alone reads io: drop DAC_READ_SEARCH from the privileged variants");
    }

    /** Why SYS_PTRACE is there: DAC_READ_SEARCH opens /proc/PID/io, but reading it passes the kernel's ptrace check. */
    @Test
    void dacReadSearchAloneDoesNotReadIo() throws Exception {
        String metrics = scrapeAs("0", List.of("DAC_READ_SEARCH"));
        assertTrue(has(metrics, "windows_process_private_bytes"), "memory of another user's process");
        assertFalse(has(metrics, "windows_process_io_bytes_total"), "DAC_READ_SEARCH alone reads io: drop SYS_PTRACE from the privileged variants");
    }

    /**
     * The default (the image's own user, no capabilities): the memory signals still work for every
     * process, and handles too on Linux 6.2+ (stat of /proc/PID/fd counts them for anyone); I/O
     * counters of other users' processes are what it goes without.
     */
    @Test
    void imageDefaultUserReadsMemoryOfOtherUsers() throws Exception {
        String user = ContainerImageTest.imageUser().split(":")[0];
        assertFalse(user.equals("0") || user.equals("root"), "the image runs as non-root by default");
        String metrics = scrapeAs(user, List.of());
        for (String metric : List.of("windows_process_info", "windows_process_private_bytes", "windows_process_working_set_private_bytes",
                "windows_process_threads", "windows_process_cpu_time_total")) {
            assertTrue(has(metrics, metric), metric + " of another user's process, as user " + user);
        }
        if (ContainerImageTest.kernelAtLeast(6, 2)) {
            assertTrue(has(metrics, "windows_process_handles"), "handles of another user's process on Linux 6.2+");
        }
        assertFalse(has(metrics, "windows_process_io_bytes_total"), "I/O of another user's process without privileges");
    }

    private boolean has(String metrics, String metric) {
        String pid = "process_id=\"" + otherUsersProcess.pid() + "\"";
        return metrics.lines().anyMatch(l -> l.startsWith(metric + "{") && l.contains(pid));
    }

    private String scrapeAs(String uid, List<String> capabilities) throws Exception {
        StringBuilder bounding = new StringBuilder("-all");
        capabilities.forEach(c -> bounding.append(",+").append(c.toLowerCase()));
        List<String> argv = List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "--bounding-set=" + bounding, "--inh-caps=-all", "--",
                LocalExporter.java(), "-cp", readableClassPath(), "io.leakwatch.Main");
        LocalExporter exporter = LocalExporter.start(argv, work.resolve("leakwatch-" + uid + "-" + capabilities.size() + ".log"));
        exporters.add(exporter);
        String pid = "process_id=\"" + otherUsersProcess.pid() + "\"";
        return exporter.awaitScrape(body -> body.contains(pid), Duration.ofSeconds(60));
    }

    /** The test class path copied where any user can read it (~/.m2 under /root is not). */
    private String readableClassPath() throws IOException {
        Path dir = work.resolve("cp");
        if (!Files.isDirectory(dir)) {
            List<String> entries = new ArrayList<>();
            int i = 0;
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path from = Path.of(entry);
                if (!Files.exists(from)) {
                    continue;
                }
                Path to = dir.resolve((i++) + "-" + from.getFileName());
                try (Stream<Path> files = Files.walk(from)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Path target = to.resolve(from.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(target);
                        } else {
                            Files.createDirectories(target.getParent());
                            Files.copy(f, target);
                        }
                    }
                }
                entries.add(to.toString());
            }
            try (Stream<Path> all = Files.walk(work)) {
                for (Path f : (Iterable<Path>) all::iterator) {
                    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            Files.writeString(work.resolve("cp.txt"), String.join(java.io.File.pathSeparator, entries));
        }
        return Files.readString(work.resolve("cp.txt"));
    }
}
