package io.leakwatch.backend.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads small /proc files into one reused buffer: a scrape opens thousands of files, and
 * allocating per read would dominate the garbage the exporter makes.
 * Not thread-safe; one per collecting thread.
 */
final class ProcFileReader {
    private final int maxBytes;
    private byte[] buf;
    private ByteBuffer view;

    ProcFileReader(int initialBytes, int maxBytes) {
        this.maxBytes = maxBytes;
        this.buf = new byte[initialBytes];
        this.view = ByteBuffer.wrap(buf);
    }

    byte[] buffer() {
        return buf;
    }

    /**
     * Reads the whole file (up to maxBytes; longer content is cut) and returns its length.
     *
     * @throws java.nio.file.NoSuchFileException   the process is gone
     * @throws java.nio.file.AccessDeniedException not readable with our rights
     * @throws IOException                         anything else, including ESRCH from a dying process
     */
    int read(Path file) throws IOException {
        try {
            return readOnce(file);
        } catch (AccessDeniedException | NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // procfs checks some rights at read(), not open() (io needs ptrace access), and a
            // dying process answers ESRCH: the JDK reports both as a plain IOException.
            String message = String.valueOf(e.getMessage());
            if (message.contains("Permission denied")) {
                throw new AccessDeniedException(file.toString());
            }
            if (message.contains("No such process")) {
                throw new NoSuchFileException(file.toString());
            }
            throw e;
        }
    }

    private int readOnce(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int total = 0;
            while (true) {
                if (total == buf.length) {
                    if (buf.length >= maxBytes) {
                        return total; // cut: the caller parses what fits
                    }
                    grow();
                }
                view.limit(buf.length).position(total);
                int n = ch.read(view);
                if (n < 0) {
                    return total;
                }
                total += n;
            }
        }
    }

    private void grow() {
        byte[] bigger = new byte[Math.min(maxBytes, buf.length * 2)];
        System.arraycopy(buf, 0, bigger, 0, buf.length);
        buf = bigger;
        view = ByteBuffer.wrap(buf);
    }
}
