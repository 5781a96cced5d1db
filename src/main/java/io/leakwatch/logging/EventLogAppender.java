package io.leakwatch.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.Layout;
import com.sun.jna.platform.win32.WinNT;

import java.util.regex.Pattern;

/**
 * Sends each event to the Windows event log as windows_exporter does: the line without its
 * {@code time=} and {@code level=} (Event Viewer shows both), as an information, warning or error
 * event by level. Thread-safe: AppenderBase serialises appends.
 */
final class EventLogAppender extends AppenderBase<ILoggingEvent> {
    /** Only the leading fields a logfmt line starts with; a JSON line is sent whole. */
    private static final Pattern TIME_AND_LEVEL = Pattern.compile("^time=\\S+ level=\\S+ ");

    private final WindowsEventLog log;
    private final Layout<ILoggingEvent> layout;

    EventLogAppender(WindowsEventLog log, Layout<ILoggingEvent> layout) {
        this.log = log;
        this.layout = layout;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String line = layout.doLayout(event).strip();
        int level = event.getLevel().toInt();
        int type = level >= Level.ERROR_INT ? WinNT.EVENTLOG_ERROR_TYPE
                : level >= Level.WARN_INT ? WinNT.EVENTLOG_WARNING_TYPE : WinNT.EVENTLOG_INFORMATION_TYPE;
        int id = level >= Level.ERROR_INT ? WindowsEventLog.ERROR_EVENT
                : level >= Level.WARN_INT ? WindowsEventLog.WARNING_EVENT : WindowsEventLog.INFO_EVENT;
        log.report(type, id, message(line));
    }

    static String message(String line) {
        return TIME_AND_LEVEL.matcher(line).replaceFirst("");
    }

    @Override
    public void stop() {
        super.stop();
        log.close();
    }
}
