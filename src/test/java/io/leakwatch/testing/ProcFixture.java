package io.leakwatch.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A fake procfs tree in a temp folder, for --path.procfs: realistic files that tests may then break. */
public final class ProcFixture {
    public static final long BTIME = 1_700_000_000L;
    private final Path root;

    public ProcFixture(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root); // no self/fd: a plain folder's st_size would pass for a kernel fd count
        Files.writeString(root.resolve("stat"), "cpu  1 2 3 4\nbtime " + BTIME + "\nprocesses 10\n");
    }

    public Path root() {
        return root;
    }

    public Path dir(long pid) {
        return root.resolve(Long.toString(pid));
    }

    public static String stat(long pid, String comm, long startTicks) {
        return pid + " (" + comm + ") S 1 " + pid + " " + pid + " 0 -1 4194560 1500 0 12 0 250 75 0 0 20 0 3 0 "
                + startTicks + " 123456789 2000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
    }

    public static String status(String comm, long rssKb, long anonKb) {
        return "Name:\t" + comm + "\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nPid:\t1\nPPid:\t0\n"
                + "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmPeak:\t 20000 kB\nVmSize:\t 19000 kB\nVmHWM:\t " + (rssKb + 10)
                + " kB\nVmRSS:\t " + rssKb + " kB\nRssAnon:\t " + anonKb + " kB\nRssFile:\t 100 kB\nVmSwap:\t 0 kB\nThreads:\t3\n";
    }

    public static final String IO = "rchar: 1000\nwchar: 2000\nsyscr: 10\nsyscw: 20\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n";

    /** A well-formed process. */
    public void addProcess(long pid, String comm, String cmdline, long anonKb) throws IOException {
        Path d = dir(pid);
        Files.createDirectories(d.resolve("fd"));
        Files.writeString(d.resolve("stat"), stat(pid, comm, 1000 + pid));
        Files.writeString(d.resolve("status"), status(comm, anonKb + 500, anonKb));
        Files.writeString(d.resolve("io"), IO);
        Files.write(d.resolve("cmdline"), (cmdline.replace(' ', '\0') + "\0").getBytes(StandardCharsets.UTF_8));
        for (int fd = 0; fd < 3; fd++) {
            Files.writeString(d.resolve("fd").resolve(Integer.toString(fd)), "");
        }
    }

    /**
     * Replaces pid's stat with a named pipe: a collection blocks reading it until {@link #release}
     * writes the content, which makes "a scrape in flight" deterministic in tests.
     */
    public Path blockingStat(long pid) throws IOException, InterruptedException {
        Path stat = dir(pid).resolve("stat");
        Files.deleteIfExists(stat);
        Process p = new ProcessBuilder("mkfifo", stat.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("mkfifo failed");
        }
        return stat;
    }

    /**
     * Waits until one of the threads of process {@code pid} (this JVM's own too) is blocked opening
     * a named pipe (the kernel's wait_for_partner): with {@link #blockingStat}, proof that a
     * collection is in flight and stuck there, however slow a busy machine is to get there.
     */
    public static void awaitBlockedOnPipe(long pid) throws InterruptedException {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        Await.until("a thread of pid " + pid + " blocked on the pipe", () -> {
            try (java.nio.file.DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
                for (Path thread : threads) {
                    try {
                        if (Files.readString(thread.resolve("wchan")).contains("wait_for_partner")) {
                            return true;
                        }
                    } catch (IOException gone) {
                        // the thread ended while we looked
                    }
                }
                return false;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Unblocks a reader of a {@link #blockingStat} pipe (blocks until the reader opened it). */
    public static void release(Path fifo, long pid, String comm) throws IOException {
        Files.writeString(fifo, stat(pid, comm, 1000 + pid));
    }
}
