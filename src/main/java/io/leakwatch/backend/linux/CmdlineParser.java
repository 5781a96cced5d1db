package io.leakwatch.backend.linux;

import io.leakwatch.model.CommandLines;

import java.nio.charset.StandardCharsets;

/** /proc/PID/cmdline: NUL-separated arguments; empty for kernel threads and zombies. */
final class CmdlineParser {
    private CmdlineParser() {
    }

    /**
     * Arguments joined by single spaces (NUL -> space), trimmed of surrounding white space as
     * windows_exporter trims its cmdline label (an empty last argument would otherwise leave a space).
     */
    static String joined(byte[] buf, int len) {
        int end = len;
        while (end > 0 && buf[end - 1] == 0) {
            end--;
        }
        byte[] copy = new byte[end];
        for (int i = 0; i < end; i++) {
            copy[i] = buf[i] == 0 ? (byte) ' ' : buf[i];
        }
        return CommandLines.trimSpace(new String(copy, StandardCharsets.UTF_8));
    }

    /** Basename of argv[0], or "" if there is none. */
    static String argv0Basename(byte[] buf, int len) {
        int end = 0;
        while (end < len && buf[end] != 0) {
            end++;
        }
        // A process may rewrite its argv with spaces instead of NULs (e.g. "nginx: worker"):
        // argv[0] then ends at the first space.
        int stop = end;
        for (int i = 0; i < end; i++) {
            if (buf[i] == ' ') {
                stop = i;
                break;
            }
        }
        int start = 0;
        for (int i = 0; i < stop; i++) {
            if (buf[i] == '/') {
                start = i + 1;
            }
        }
        return new String(buf, start, stop - start, StandardCharsets.UTF_8);
    }
}
