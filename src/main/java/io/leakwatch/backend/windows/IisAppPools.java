package io.leakwatch.backend.windows;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IIS starts one w3wp.exe per application pool with {@code -ap "PoolName"} on its command line,
 * so the pool name comes from the command line we read anyway; no WMI query (and none of its hangs).
 */
final class IisAppPools {
    static final String WORKER_PROCESS = "w3wp";
    private static final Pattern APP_POOL = Pattern.compile("(?:^|\\s)-ap\\s+(?:\"([^\"]*)\"|(\\S+))");

    private IisAppPools() {
    }

    static boolean isWorkerProcess(String processName) {
        return WORKER_PROCESS.equalsIgnoreCase(processName);
    }

    /** @return the app pool named by {@code -ap}, if the command line has one */
    static Optional<String> appPool(String cmdline) {
        Matcher m = APP_POOL.matcher(cmdline);
        if (!m.find()) {
            return Optional.empty();
        }
        String pool = m.group(1) != null ? m.group(1) : m.group(2);
        return pool.isEmpty() ? Optional.empty() : Optional.of(pool);
    }

    /** windows_exporter's label for a worker process: {@code w3wp_<AppPoolName>}. */
    static String processName(String processName, String cmdline) {
        return appPool(cmdline).map(pool -> processName + "_" + pool).orElse(processName);
    }
}
