package io.leakwatch.service;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Where the service writes its log: {@code leakwatch.log} next to the config file, or next to the
 * jar without one (a service has no console and starts in C:\Windows\System32). It is appended to,
 * so restarts keep the history, and rotated by size: at {@link #MAX_BYTES} it becomes
 * {@code leakwatch.log.1} (older ones shift to .2 and .3, the oldest is dropped), so the log never
 * takes more than four times that on disk, however often the service restarts or logs.
 */
final class ServiceLog {
    static final String FILE_NAME = "leakwatch.log";
    static final long MAX_BYTES = 10L << 20;
    static final int KEPT_FILES = 3;

    private ServiceLog() {
    }

    /** @param configFile the service's --config.file ("" without one); @param jar absolute path of the jar */
    static String path(String configFile, String jar) {
        return WindowsPaths.sibling(configFile.isEmpty() ? jar : configFile, FILE_NAME);
    }

    /** Sends System.out and System.err (where the logger writes) to the file, before any logger exists. */
    static PrintStream redirect(String path) throws IOException {
        PrintStream file = new PrintStream(new Rotating(Path.of(path), MAX_BYTES, KEPT_FILES), true, StandardCharsets.UTF_8);
        System.setOut(file);
        System.setErr(file);
        return file;
    }

    /**
     * An appending file stream that rotates once the file reaches a size, at the end of a write
     * (log lines are written whole, so a line is never split across two files). Thread-safe.
     *
     * <p>Not Logback's rolling appender: its fixed-window policy deletes the oldest file and shifts the
     * others before it moves the full one, so while another program holds leakwatch.log open (a log
     * viewer on Windows) every attempt would lose one more old file; this stream moves the full file
     * first and touches nothing else when that fails. It also carries the JVM's own stdout and stderr
     * (what is printed before the logger exists), which are bytes, not log events.
     */
    static final class Rotating extends OutputStream {
        private final Path file;
        private final long maxBytes;
        private final int keptFiles;
        private FileOutputStream out;
        private long size;

        Rotating(Path file, long maxBytes, int keptFiles) throws IOException {
            this.file = file;
            this.maxBytes = maxBytes;
            this.keptFiles = keptFiles;
            this.size = Files.exists(file) ? Files.size(file) : 0;
            if (size >= maxBytes) {
                rotate(); // a restart loop must not grow the file either
            }
            this.out = new FileOutputStream(file.toFile(), true);
        }

        @Override
        public synchronized void write(int b) throws IOException {
            out.write(b);
            size++;
            rotateIfFull();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            size += len;
            rotateIfFull();
        }

        @Override
        public synchronized void flush() throws IOException {
            out.flush();
        }

        @Override
        public synchronized void close() throws IOException {
            out.close();
        }

        private void rotateIfFull() throws IOException {
            if (size >= maxBytes) {
                out.close();
                rotate();
                out = new FileOutputStream(file.toFile(), true);
            }
        }

        /**
         * Moves the full file aside first: when that fails (on Windows, another program holding it open without
         * delete sharing), nothing has moved, the file is appended to as before and the next write tries again.
         */
        private void rotate() {
            Path full = file.resolveSibling(file.getFileName() + ".rotating");
            try {
                Files.move(file, full, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                return;
            }
            try {
                for (int i = keptFiles; i >= 2; i--) {
                    if (Files.exists(numbered(i - 1))) {
                        Files.move(numbered(i - 1), numbered(i), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } catch (IOException e) {
                // an older file would not move: the newest one still becomes .1 (replacing it) rather than be lost
            }
            try {
                Files.move(full, numbered(1), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                // kept under its .rotating name; the next rotation replaces it
            }
            size = 0;
        }

        private Path numbered(int i) {
            return file.resolveSibling(file.getFileName() + "." + i);
        }
    }
}
