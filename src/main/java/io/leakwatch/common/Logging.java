package io.leakwatch.common;

/**
 * Configures slf4j-simple from --log.level before the first logger exists: one line per event
 * on stderr, with time and level.
 */
public final class Logging {
    private Logging() {
    }

    public static void configure(String level) {
        set("org.slf4j.simpleLogger.defaultLogLevel", level);
        set("org.slf4j.simpleLogger.showDateTime", "true");
        set("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        set("org.slf4j.simpleLogger.showThreadName", "false");
        set("org.slf4j.simpleLogger.showShortLogName", "true");
        set("org.slf4j.simpleLogger.levelInBrackets", "false");
        // Jetty's startup chatter is noise for an exporter's operator.
        set("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        set("org.slf4j.simpleLogger.log.io.javalin", "warn");
    }

    private static void set(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
