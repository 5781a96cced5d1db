package io.leakwatch.service;

import io.leakwatch.testing.Await;
import io.leakwatch.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import static io.leakwatch.service.ServiceStatusTracker.*;
import static org.junit.jupiter.api.Assertions.*;

/** The service's state handling, driven as the SCM drives it: ServiceMain on one thread, controls on another. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServiceLifecycleTest {
    private final List<Status> reported = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicInteger stops = new AtomicInteger();

    private ServiceBody body(int startCode) {
        return new ServiceBody() {
            @Override
            public int start() {
                return startCode;
            }

            @Override
            public void stop() {
                stops.incrementAndGet();
            }
        };
    }

    /** A lifecycle whose heartbeat never fires during a short test unless asked for. */
    private ServiceLifecycle lifecycle(ServiceBody body, Consumer<Status> report) {
        return new ServiceLifecycle(body, report, errors::add, 60_000, 600_000, new ManualScheduler(Instant.EPOCH), System::nanoTime);
    }

    @Test
    void startRunStopReportsEachStateWithCheckpoints() throws Exception {
        ServiceLifecycle lifecycle = lifecycle(body(0), reported::add);
        Thread serviceMain = new Thread(lifecycle::serviceMain);
        serviceMain.start();
        waitFor(() -> states().contains(RUNNING));
        Status running = reported.get(reported.size() - 1);
        assertEquals(ACCEPTED_WHILE_RUNNING, running.controlsAccepted());

        assertEquals(ServiceLifecycle.NO_ERROR, lifecycle.onControl(CONTROL_INTERROGATE));
        assertEquals(RUNNING, reported.get(reported.size() - 1).state());
        assertEquals(ServiceLifecycle.ERROR_CALL_NOT_IMPLEMENTED, lifecycle.onControl(2)); // PAUSE: not accepted

        assertEquals(ServiceLifecycle.NO_ERROR, lifecycle.onControl(CONTROL_STOP));
        serviceMain.join(5000);
        assertFalse(serviceMain.isAlive());
        assertEquals(1, stops.get());
        assertEquals(List.of(START_PENDING, RUNNING, RUNNING, STOP_PENDING, STOP_PENDING, STOPPED), states());
        Status pending1 = reported.get(3);
        Status pending2 = reported.get(4);
        assertEquals(0, pending1.controlsAccepted(), "no controls while pending");
        assertTrue(pending2.checkPoint() > pending1.checkPoint(), "checkpoint advances while stopping");
        assertTrue(pending1.waitHintMillis() > 0);
        Status stopped = reported.get(5);
        assertEquals(0, stopped.win32ExitCode());
        assertEquals(0, stopped.checkPoint());
        assertEquals(List.of(), errors);
    }

    @Test
    void shutdownAndPreshutdownStopLikeStopAndASecondStopIsOnlyReported() throws Exception {
        for (int control : new int[]{CONTROL_SHUTDOWN, CONTROL_PRESHUTDOWN}) {
            reported.clear();
            stops.set(0);
            ServiceLifecycle lifecycle = lifecycle(body(0), reported::add);
            Thread serviceMain = new Thread(lifecycle::serviceMain);
            serviceMain.start();
            waitFor(() -> states().contains(RUNNING));
            lifecycle.onControl(control);
            lifecycle.onControl(CONTROL_STOP);
            serviceMain.join(5000);
            assertEquals(1, stops.get());
            assertEquals(STOPPED, reported.get(reported.size() - 1).state());
        }
    }

    @Test
    void startFailureReportsStoppedWithTheExitCodeSoTheScmRestartsIt() {
        ServiceLifecycle lifecycle = lifecycle(body(2), reported::add);
        lifecycle.serviceMain(); // returns at once
        assertEquals(List.of(START_PENDING, STOPPED), states());
        Status stopped = reported.get(1);
        assertEquals(ERROR_SERVICE_SPECIFIC_ERROR, stopped.win32ExitCode());
        assertEquals(2, stopped.serviceSpecificExitCode());
        assertEquals(0, stops.get());
    }

    /** An Error (not an Exception) while starting must still end in STOPPED, or the SCM waits forever. */
    @Test
    void anErrorWhileStartingReportsStoppedAndIsLogged() {
        for (Error error : List.of(new NoClassDefFoundError("io/leakwatch/Missing"),
                new ExceptionInInitializerError("static init failed"), new OutOfMemoryError("Java heap space"))) {
            reported.clear();
            errors.clear();
            ServiceBody throwing = new ServiceBody() {
                @Override
                public int start() {
                    throw error;
                }

                @Override
                public void stop() {
                    stops.incrementAndGet();
                }
            };
            assertDoesNotThrow(lifecycle(throwing, reported::add)::serviceMain);
            assertEquals(List.of(START_PENDING, STOPPED), states(), error.toString());
            assertEquals(ERROR_SERVICE_SPECIFIC_ERROR, reported.get(1).win32ExitCode());
            assertEquals(ServiceLifecycle.EXIT_START_THREW, reported.get(1).serviceSpecificExitCode());
            assertEquals(1, errors.size());
            assertTrue(errors.get(0).contains(error.getClass().getSimpleName()), errors.get(0));
        }
        assertEquals(0, stops.get());
    }

    /**
     * A slow start keeps START_PENDING with a growing checkpoint, so a caller waiting on the
     * checkpoint (the SCM, {@code service start}) does not give up on a service that is still starting.
     */
    @Test
    void pendingStatesAdvanceTheirCheckpointWhileTheyLast() throws Exception {
        CountDownLatch releaseStart = new CountDownLatch(1);
        CountDownLatch releaseStop = new CountDownLatch(1);
        ServiceBody slow = new ServiceBody() {
            @Override
            public int start() {
                await(releaseStart, 10_000);
                return 0;
            }

            @Override
            public void stop() {
                await(releaseStop, 10_000);
            }
        };
        ManualScheduler time = new ManualScheduler(Instant.EPOCH);
        ServiceLifecycle lifecycle = new ServiceLifecycle(slow, reported::add, errors::add, 40, 600_000, time, nanos(time));
        Thread serviceMain = new Thread(lifecycle::serviceMain);
        serviceMain.start();
        Await.until("START_PENDING", () -> states().contains(START_PENDING));
        pass(time, 160); // four 40 ms periods
        List<Status> starting = reported.stream().filter(s -> s.state() == START_PENDING).toList();
        assertEquals(5, starting.size(), "one heartbeat per period while starting: " + starting);
        for (int i = 1; i < starting.size(); i++) {
            assertEquals(starting.get(i - 1).checkPoint() + 1, starting.get(i).checkPoint(), starting.toString());
        }
        releaseStart.countDown();
        Await.until("RUNNING", () -> states().contains(RUNNING));
        int whileRunning = reported.size();
        pass(time, 120);
        assertEquals(whileRunning, reported.size(), "no heartbeat while running");

        lifecycle.onControl(CONTROL_STOP);
        Await.until("stop entered", () -> serviceMain.getState() == Thread.State.TIMED_WAITING);
        pass(time, 160); // four 40 ms periods
        List<Status> stopping = reported.stream().filter(s -> s.state() == STOP_PENDING).toList();
        assertTrue(stopping.size() >= 5, "heartbeat while stopping: " + stopping);
        releaseStop.countDown();
        serviceMain.join(5000);
        assertEquals(STOPPED, reported.get(reported.size() - 1).state());
        int size = reported.size();
        pass(time, 120);
        assertEquals(size, reported.size(), "no heartbeat after STOPPED");
        assertEquals(0, time.pending(), "the heartbeat ends with the service");
    }

    @Test
    void aHungStartStopsTheHeartbeatSoTheScmCanGiveUp() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ServiceBody hung = new ServiceBody() {
            @Override
            public int start() {
                await(release, 10_000);
                return 0;
            }

            @Override
            public void stop() {
            }
        };
        ManualScheduler time = new ManualScheduler(Instant.EPOCH);
        ServiceLifecycle lifecycle = new ServiceLifecycle(hung, reported::add, errors::add, 20, 200, time, nanos(time));
        Thread serviceMain = new Thread(lifecycle::serviceMain);
        serviceMain.start();
        Await.until("START_PENDING", () -> states().contains(START_PENDING));
        pass(time, 800); // a 20 ms heartbeat, a 200 ms bound
        // the first beat starts the count; the beats of the next 200 ms still report; then nothing
        long pending = reported.stream().filter(s -> s.state() == START_PENDING).count();
        assertEquals(1 + 11, pending, "heartbeats in 800 ms with a 200 ms bound: " + states());
        release.countDown();
        Await.until("RUNNING", () -> states().contains(RUNNING));
        lifecycle.onControl(CONTROL_STOP);
        serviceMain.join(5000);
    }

    /** Lets {@code millis} of the heartbeat's time pass: every beat that falls due runs here, on the test's thread. */
    private static void pass(ManualScheduler time, long millis) {
        time.advance(Duration.ofMillis(millis));
    }

    private static LongSupplier nanos(ManualScheduler time) {
        return () -> {
            Instant now = time.clock().instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }

    /**
     * INTERROGATE answered on the handler thread while ServiceMain reports STOPPED: the handler's
     * report must not reach the SCM after STOPPED. The reporter holds the handler's report until
     * STOPPED shows up or ServiceMain waits for that report to finish, which is what a preempted
     * handler thread does (no timed wait: it is let go at the event either way).
     */
    @Test
    void noStatusIsSentAfterStoppedWhenAControlRacesTheStop() throws Exception {
        CountDownLatch stopEntered = new CountDownLatch(1);
        CountDownLatch releaseStop = new CountDownLatch(1);
        CountDownLatch handlerReporting = new CountDownLatch(1);
        ServiceBody body = new ServiceBody() {
            @Override
            public int start() {
                return 0;
            }

            @Override
            public void stop() {
                stopEntered.countDown();
                await(releaseStop, 5000);
            }
        };
        CountDownLatch stoppedReported = new CountDownLatch(1);
        AtomicReference<Thread> serviceMain = new AtomicReference<>();
        AtomicReference<Throwable> handlerFailure = new AtomicReference<>();
        Consumer<Status> report = status -> {
            if (Thread.currentThread().getName().equals("handler")) {
                handlerReporting.countDown();
                // held as a preempted handler thread is: a STOPPED sent meanwhile ends the wait, and so
                // does ServiceMain blocked on a lock this thread holds (it cannot send STOPPED before us)
                try {
                    Await.until("STOPPED sent, or ServiceMain waiting for the handler's report", () ->
                            stoppedReported.getCount() == 0 || blockedBy(serviceMain.get(), Thread.currentThread()));
                } catch (Throwable e) {
                    handlerFailure.set(e);
                }
            }
            reported.add(status);
            if (status.state() == STOPPED) {
                stoppedReported.countDown();
            }
        };
        ServiceLifecycle lifecycle = lifecycle(body, report);
        serviceMain.set(new Thread(lifecycle::serviceMain));
        serviceMain.get().start();
        waitFor(() -> states().contains(RUNNING));
        lifecycle.onControl(CONTROL_STOP);
        assertTrue(stopEntered.await(5, TimeUnit.SECONDS));
        Thread handler = new Thread(() -> lifecycle.onControl(CONTROL_INTERROGATE), "handler");
        handler.start();
        assertTrue(handlerReporting.await(5, TimeUnit.SECONDS));
        releaseStop.countDown();
        serviceMain.get().join(5000);
        handler.join(5000);
        assertNull(handlerFailure.get(), "the handler's report was never let go");
        assertEquals(STOPPED, reported.get(reported.size() - 1).state(), "sent after STOPPED: " + states());
        assertEquals(1, states().stream().filter(s -> s == STOPPED).count());
        assertEquals(ServiceLifecycle.NO_ERROR, lifecycle.onControl(CONTROL_INTERROGATE));
        assertEquals(STOPPED, reported.get(reported.size() - 1).state(), "a control after STOPPED sends nothing");
    }

    @Test
    void trackerPendingCheckpointsRestartPerState() {
        ServiceStatusTracker t = new ServiceStatusTracker();
        assertNull(t.pendingAgain(), "not pending yet");
        assertEquals(1, t.startPending().checkPoint());
        assertEquals(2, t.startPending().checkPoint());
        assertEquals(3, t.pendingAgain().checkPoint());
        assertEquals(0, t.running().checkPoint());
        assertNull(t.pendingAgain());
        assertEquals(1, t.stopPending().checkPoint());
        assertEquals(ControlAction.REPORT, t.onControl(CONTROL_STOP), "already stopping");
        assertEquals(ControlAction.NOT_IMPLEMENTED, t.onControl(0x10)); // PARAMCHANGE
    }

    private List<Integer> states() {
        return reported.stream().map(Status::state).toList();
    }

    /** Whether {@code waiter} is blocked entering a monitor that {@code owner} holds. */
    private static boolean blockedBy(Thread waiter, Thread owner) {
        ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(waiter.getId());
        return info != null && info.getLockOwnerId() == owner.getId();
    }

    private static void await(CountDownLatch latch, long millis) {
        try {
            latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        Await.until("the state the test waits for", condition);
    }
}
