package io.leakwatch.logging;

import java.util.Locale;
import java.util.Optional;

/** The two shapes Prometheus' promslog writes, which windows_exporter uses: {@code --log.format}. */
public enum LogFormat {
    /** {@code time=… level=INFO source=File.java:42 msg="…" key=value}, one event per line. */
    LOGFMT,
    /** {@code {"time":"…","level":"INFO","source":"File.java:42","msg":"…","key":"value"}}, one per line. */
    JSON;

    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** promslog accepts exactly "logfmt" and "json". */
    public static Optional<LogFormat> parse(String text) {
        for (LogFormat f : values()) {
            if (f.flagValue().equals(text)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
