package io.leakwatch;

import io.leakwatch.http.ExtraEndpoint;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * What {@code --debug.enabled} serves under /debug/, the JVM's counterparts of windows_exporter's
 * /debug/pprof: a thread dump (jstack's) and a class histogram of the heap (jmap -histo's), each
 * through the JVM's own diagnostic commands. Thread-safe.
 */
final class DebugViews {
    private DebugViews() {
    }

    static List<ExtraEndpoint> endpoints() {
        return List.of(
                new ExtraEndpoint("/debug/threads", "text/plain; charset=utf-8",
                        "every JVM thread with its stack and locks (as jcmd Thread.print)", out -> out.write(threadDump())),
                new ExtraEndpoint("/debug/heap", "text/plain; charset=utf-8",
                        "live objects by class, after a full garbage collection (as jcmd GC.class_histogram)",
                        out -> out.write(heapHistogram())));
    }

    /** Every thread with its stack and locks, as {@code jcmd PID Thread.print} prints it. */
    static String threadDump() {
        return diagnosticCommand("threadPrint");
    }

    /** Live objects by class (this runs a full collection first), as {@code jcmd PID GC.class_histogram}. */
    static String heapHistogram() {
        return diagnosticCommand("gcClassHistogram");
    }

    private static String diagnosticCommand(String operation) {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
                    new Object[]{new String[0]}, new String[]{String[].class.getName()});
            return String.valueOf(text);
        } catch (JMException e) {
            return "not available on this JVM: " + e.getMessage() + "\n";
        }
    }
}
