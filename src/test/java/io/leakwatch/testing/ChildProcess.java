package io.leakwatch.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real child JVM for tests: renames itself through /proc/self/comm, optionally touches some
 * anonymous memory, prints "ready" and waits until killed, or until its parent ends (its stdin
 * closes), so a test JVM that dies leaves no child behind.
 *
 * <p>Usage from a test: {@code ChildProcess.start("lwt-mem-hog", 64)}.
 */
public final class ChildProcess implements AutoCloseable {
    private final Process process;
    static volatile byte[] kept;

    private ChildProcess(Process process) {
        this.process = process;
    }

    /**
     * @param commHex the new comm as hex bytes (so tests can pass invalid UTF-8)
     * @param mib     MiB of anonymous memory to allocate and touch
     */
    public static ChildProcess start(byte[] comm, int mib) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms8m", "-Xmx" + (mib + 64) + "m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", classpath(), ChildProcess.class.getName(),
                HexFormat.of().formatHex(comm), Integer.toString(mib)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] line = new byte[6];
        int n = p.getInputStream().readNBytes(line, 0, 6);
        if (n != 6 || !new String(line, 0, 5).equals("ready")) {
            p.destroyForcibly();
            throw new IOException("child did not start: " + new String(line, 0, Math.max(0, n)));
        }
        return new ChildProcess(p);
    }

    public long pid() {
        return process.pid();
    }

    public void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static String classpath() {
        try {
            return Path.of(ChildProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Child side. */
    public static void main(String[] args) throws Exception {
        byte[] comm = HexFormat.of().parseHex(args[0]);
        int mib = Integer.parseInt(args[1]);
        byte[] memory = new byte[mib * 1024 * 1024];
        for (int i = 0; i < memory.length; i += 4096) {
            memory[i] = 1; // touch every page so it is resident
        }
        Files.write(Path.of("/proc/self/comm"), comm);
        System.out.print("ready\n");
        System.out.flush();
        kept = memory; // stays reachable, so stays resident
        while (System.in.read() >= 0) {
            // nothing to read: the parent never writes; the end of the stream is the parent gone
        }
    }
}
