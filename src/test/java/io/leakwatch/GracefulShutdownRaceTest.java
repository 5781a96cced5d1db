package io.leakwatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.helpers.NOPLogger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A reboot sends a Windows service both the SCM's SHUTDOWN and (through HotSpot's console handler)
 * SIGTERM. Whichever stop path loses the race must wait for the winner's close to finish, or the
 * service reports STOPPED, or System.exit halts the JVM, while the leak history is being saved.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GracefulShutdownRaceTest {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch closeEntered = new CountDownLatch(1);
    private final CountDownLatch releaseClose = new CountDownLatch(1);
    private final AutoCloseable slowExporter = () -> {
        events.add("close started");
        closeEntered.countDown();
        releaseClose.await(10, TimeUnit.SECONDS);
        events.add("close finished"); // the leak history is saved here
    };
    private final GracefulShutdown shutdown = new GracefulShutdown(slowExporter, NOPLogger.NOP_LOGGER,
            code -> events.add("exit " + code), code -> events.add("halt " + code));

    @Test
    void aSignalDuringTheServiceStopExitsOnlyAfterTheCloseFinished() throws Exception {
        Thread serviceStop = new Thread(() -> {
            shutdown.closeOnce();
            events.add("STOPPED reported");
        });
        serviceStop.start();
        assertTrue(closeEntered.await(5, TimeUnit.SECONDS));
        shutdown.onSignal("TERM", 15);
        Thread.sleep(300);
        assertEquals(List.of("close started"), events, "exited while closing");
        releaseClose.countDown();
        serviceStop.join(5000);
        waitFor(() -> events.contains("exit 0"));
        assertEquals(1, events.stream().filter("close started"::equals).count(), "closed once");
        assertTrue(events.contains("close finished"), events.toString());
        assertTrue(events.indexOf("close finished") < events.indexOf("exit 0"), events.toString());
    }

    @Test
    void theServiceStopDuringASignalReportsStoppedOnlyAfterTheCloseFinished() throws Exception {
        shutdown.onSignal("TERM", 15);
        assertTrue(closeEntered.await(5, TimeUnit.SECONDS));
        Thread serviceStop = new Thread(() -> {
            shutdown.closeOnce();
            events.add("STOPPED reported");
        });
        serviceStop.start();
        Thread.sleep(300);
        assertFalse(events.contains("STOPPED reported"), "STOPPED before the close finished: " + events);
        releaseClose.countDown();
        serviceStop.join(5000);
        waitFor(() -> events.contains("exit 0"));
        assertTrue(events.contains("close finished"), events.toString());
        assertTrue(events.contains("STOPPED reported"), events.toString());
        assertTrue(events.indexOf("close finished") < events.indexOf("STOPPED reported"), events.toString());
        assertEquals(1, events.stream().filter("close started"::equals).count());
    }

    /** An interrupt does not end the wait early: the loser returns only after the close, with its interrupt kept. */
    @Test
    void anInterruptedWaiterStillWaitsForTheClose() throws Exception {
        Thread serviceStop = new Thread(shutdown::closeOnce);
        serviceStop.start();
        assertTrue(closeEntered.await(5, TimeUnit.SECONDS));
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            shutdown.closeOnce();
            events.add("hook returned");
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        hook.start();
        Thread.sleep(100);
        hook.interrupt();
        Thread.sleep(300);
        assertEquals(List.of("close started"), events, "the interrupt ended the wait");
        releaseClose.countDown();
        hook.join(5000);
        serviceStop.join(5000);
        assertEquals(List.of("close started", "close finished", "hook returned"), events);
        assertTrue(interruptKept.get(), "the interrupt was swallowed");
    }

    @Test
    void aSecondSignalStillHaltsAtOnce() throws Exception {
        shutdown.onSignal("TERM", 15);
        assertTrue(closeEntered.await(5, TimeUnit.SECONDS));
        shutdown.onSignal("TERM", 15);
        assertTrue(events.contains("halt 143"), events.toString());
        releaseClose.countDown();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(5);
        }
    }
}
