package io.leakwatch.service;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.Flags;
import io.leakwatch.config.UsageException;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A service has no console: its log goes to {@code leakwatch.log} next to the config file, or next
 * to the jar without one. The file is appended to, so restarts keep the history.
 */
final class ServiceLog {
    static final String FILE_NAME = "leakwatch.log";

    private ServiceLog() {
    }

    /** @param flags the service's (validated) flags; @param jar absolute path of the jar */
    static String path(List<String> flags, String jar) {
        try {
            Object configFile = CommandLine.parse(flags).values().get(Flags.CONFIG_FILE);
            if (configFile instanceof String file && !file.isEmpty()) {
                return WindowsPaths.sibling(file, FILE_NAME);
            }
        } catch (UsageException e) {
            // validated at install; fall back to the jar's directory
        }
        return WindowsPaths.sibling(jar, FILE_NAME);
    }

    /** Sends System.out and System.err (where slf4j-simple writes) to the file, before any logger exists. */
    static PrintStream redirect(String path) throws IOException {
        PrintStream file = new PrintStream(new FileOutputStream(path, true), true, StandardCharsets.UTF_8);
        System.setOut(file);
        System.setErr(file);
        return file;
    }
}
