package io.leakwatch.logging;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.WinNT;

import java.util.Locale;

/**
 * The Windows Application event log, through Advapi32's RegisterEventSource/ReportEvent (as
 * windows_exporter's {@code --log.file=eventlog} writes it: event 100 information, 101 warning,
 * 102 error). Thread-safe: ReportEvent may be called from any thread; close once.
 */
public interface WindowsEventLog extends AutoCloseable {
    int INFO_EVENT = 100;
    int WARNING_EVENT = 101;
    int ERROR_EVENT = 102;

    /** Writes one event; false when Windows refused it. */
    boolean report(int type, int eventId, String message);

    @Override
    void close();

    /**
     * @param source the event source shown in Event Viewer
     * @throws IllegalStateException off Windows, or when Windows refuses the source
     */
    static WindowsEventLog open(String source) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            throw new IllegalStateException("--log.file=eventlog: the Windows Event Log exists only on Windows");
        }
        WinNT.HANDLE handle = Advapi32.INSTANCE.RegisterEventSource(null, source);
        if (handle == null) {
            throw new IllegalStateException("--log.file=eventlog: cannot open event source '" + source
                    + "' (Windows error " + Native.getLastError() + ")");
        }
        return new WindowsEventLog() {
            private volatile boolean closed;

            @Override
            public boolean report(int type, int eventId, String message) {
                if (closed) {
                    return false;
                }
                return Advapi32.INSTANCE.ReportEvent(handle, type, 0, eventId, null, 1, 0, new String[]{message}, null);
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    Advapi32.INSTANCE.DeregisterEventSource(handle);
                }
            }
        };
    }
}
