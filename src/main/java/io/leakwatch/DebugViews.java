package io.leakwatch;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import javax.management.JMException;
import javax.management.ObjectName;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What {@code --debug.enabled} serves under /debug/, the JVM's counterparts of windows_exporter's
 * /debug/pprof: a thread dump (jstack's), a class histogram of the heap (jmap -histo's) and a Java
 * Flight Recorder recording of a few seconds (the CPU profile). Thread-safe; one recording at a time.
 */
final class DebugViews {
    static final int MAX_RECORDING_SECONDS = 60;
    private static final AtomicBoolean RECORDING = new AtomicBoolean();

    private DebugViews() {
    }

    /** Every thread with its stack and locks, as {@code jcmd PID Thread.print} prints it. */
    static String threadDump() {
        return diagnosticCommand("threadPrint");
    }

    /** Live objects by class (this runs a full collection first), as {@code jcmd PID GC.class_histogram}. */
    static String heapHistogram() {
        return diagnosticCommand("gcClassHistogram");
    }

    /** Thrown when a recording is already running. */
    static final class Busy extends Exception {
        Busy() {
            super("a recording is already running; try again when it has finished", null, false, false);
        }
    }

    /**
     * Records the JVM for {@code seconds} with JFR's "profile" settings and writes the .jfr file
     * (open it with JDK Mission Control or {@code jfr print}).
     */
    static void record(int seconds, OutputStream out) throws Busy, IOException, InterruptedException {
        if (!RECORDING.compareAndSet(false, true)) {
            throw new Busy();
        }
        Path file = Files.createTempFile("leakwatch-", ".jfr");
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.setName("leakwatch /debug/jfr");
            recording.setToDisk(true);
            recording.start();
            Thread.sleep(Duration.ofSeconds(Math.max(1, Math.min(MAX_RECORDING_SECONDS, seconds))).toMillis());
            recording.stop();
            recording.dump(file);
            Files.copy(file, out);
        } catch (ParseException e) {
            throw new IOException("JFR's profile settings cannot be read: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(file);
            RECORDING.set(false);
        }
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
