package io.leakwatch.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Locale;

/**
 * Sets up the one log leakwatch writes, Jetty's and Javalin's events included: promslog's shape
 * ({@link PromslogLayout}) in logfmt or JSON, at {@code --log.level}, to {@code --log.file}.
 * Until {@link #configure} runs (and in tests that never call it) the log is logfmt at info on stdout.
 */
public final class Logging {
    /** Jetty's and Javalin's startup chatter is noise for an exporter's operator: warnings and errors only. */
    private static final String[] QUIET = {"org.eclipse.jetty", "io.javalin"};

    private Logging() {
    }

    /** Where the log goes: the console streams, a file appended to, or the Windows Event Log. */
    public sealed interface Target {
        record Stdout() implements Target {
        }

        record Stderr() implements Target {
        }

        record File(String path) implements Target {
        }

        record EventLog(String source) implements Target {
        }

        /** This target, or stderr in place of stdout: for commands whose own output is stdout. */
        default Target awayFromStdout() {
            return this instanceof Stdout ? new Stderr() : this;
        }
    }

    /**
     * Replaces whatever logging was set up before.
     *
     * @param level  debug, info, warn or error
     * @throws IllegalStateException when the target cannot be opened (a file that cannot be written)
     */
    public static void configure(String level, LogFormat format, Target target) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        install(context, Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO), format, target);
    }

    static void install(LoggerContext context, Level level, LogFormat format, Target target) {
        boolean debug = level.toInt() <= Level.DEBUG_INT;
        PromslogLayout layout = new PromslogLayout(format, ZoneId.systemDefault(), debug);
        layout.setContext(context);
        layout.start();
        Appender<ILoggingEvent> appender = appender(context, layout, target);

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.setLevel(level);
        root.addAppender(appender);
        for (String name : QUIET) {
            context.getLogger(name).setLevel(debug ? Level.INFO : Level.WARN);
        }
    }

    private static Appender<ILoggingEvent> appender(LoggerContext context, PromslogLayout layout, Target target) {
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender;
        if (target instanceof Target.File file) {
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setFile(file.path());
            f.setAppend(true);
            f.setPrudent(false);
            appender = f;
        } else if (target instanceof Target.EventLog eventLog) {
            EventLogAppender e = new EventLogAppender(WindowsEventLog.open(eventLog.source()), layout);
            e.setContext(context);
            e.setName("eventlog");
            e.start();
            return e;
        } else {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget(target instanceof Target.Stderr ? "System.err" : "System.out");
            appender = console;
        }
        appender.setContext(context);
        appender.setName("leakwatch");
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            String what = target instanceof Target.File file ? file.path() : target.toString();
            throw new IllegalStateException("--log.file: cannot write " + what);
        }
        return appender;
    }
}
