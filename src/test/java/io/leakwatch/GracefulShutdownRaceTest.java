package io.leakwatch;

import io.leakwatch.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.helpers.NOPLogger;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A reboot sends a Windows service both the SCM's SHUTDOWN and (through HotSpot's console handler)
 * SIGTERM. Whichever stop path loses the race must wait for the winner's close to finish, or the
 * service reports STOPPED, or System.exit halts the JVM, while the leak history is being saved.
 *
 * <p>No sleeps: the loser is let go on with the close only once it has settled, either waiting
 * (a thread state, as it must) or gone through without waiting (ended, or its event recorded).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GracefulShutdownRaceTest {
    private static final Set<Thread.State> SETTLED = EnumSet.of(Thread.State.BLOCKED, Thread.State.WAITING,
            Thread.State.TIMED_WAITING, Thread.State.TERMINATED);

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

    /** Waits until {@code t} waits or has ended, and says whether it waits. */
    private static boolean waits(Thread t) throws InterruptedException {
        Await.until(t.getName() + " waiting or ended", () -> SETTLED.contains(t.getState()));
        return t.getState() != Thread.State.TERMINATED;
    }

    /** The thread GracefulShutdown starts for a signal. */
    private static Thread stopperOtherThan(Set<Thread> before) throws InterruptedException {
        Thread[] found = new Thread[1];
        Await.until("the signal's stop thread", () -> {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("leakwatch-shutdown") && !before.contains(t)) {
                    found[0] = t;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Test
    void aSignalDuringTheServiceStopExitsOnlyAfterTheCloseFinished() throws Exception {
        Thread serviceStop = new Thread(() -> {
            shutdown.closeOnce();
            events.add("STOPPED reported");
        });
        serviceStop.start();
        assertTrue(closeEntered.await(5, TimeUnit.SECONDS));
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        shutdown.onSignal("TERM", 15);
        Thread stopper = stopperOtherThan(before);
        assertTrue(waits(stopper), "the signal's stop did not wait for the close: " + events);
        assertEquals(List.of("close started"), events, "exited while closing");
        releaseClose.countDown();
        serviceStop.join(5000);
        stopper.join(5000);
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
        }, "service-stop");
        serviceStop.start();
        assertTrue(waits(serviceStop), "the service stop did not wait for the close: " + events);
        assertFalse(events.contains("STOPPED reported"), "STOPPED before the close finished: " + events);
        releaseClose.countDown();
        serviceStop.join(5000);
        Await.until("exit 0", () -> events.contains("exit 0"));
        assertTrue(events.contains("close finished"), events.toString());
        assertTrue(events.contains("STOPPED reported"), events.toString());
        assertTrue(events.indexOf("close finished") < events.indexOf("STOPPED reported"), events.toString());
        assertEquals(1, events.stream().filter("close started"::equals).count());
    }

    /**
     * An interrupt does not end the wait early: the loser returns only after the close, with its
     * interrupt kept. Interrupted before it starts to wait, so any interruptible wait would end at once.
     */
    @Test
    void anInterruptedWaiterStillWaitsForTheClose() throws Exception {
        Thread serviceStop = new Thread(shutdown::closeOnce);
        serviceStop.start();
        assertTrue(closeEntered.await(5, TimeUnit.SECONDS));
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            Thread.currentThread().interrupt();
            shutdown.closeOnce();
            events.add("hook returned");
            interruptKept.set(Thread.currentThread().isInterrupted());
        }, "hook");
        hook.start();
        assertTrue(waits(hook), "the interrupt ended the wait: " + events);
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
}
