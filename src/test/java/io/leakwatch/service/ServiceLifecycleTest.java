package io.leakwatch.service;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.leakwatch.service.ServiceStatusTracker.*;
import static org.junit.jupiter.api.Assertions.*;

/** The service's state handling, driven as the SCM drives it: ServiceMain on one thread, controls on another. */
class ServiceLifecycleTest {
    private final List<Status> reported = new CopyOnWriteArrayList<>();
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

    @Test
    void startRunStopReportsEachStateWithCheckpoints() throws Exception {
        ServiceLifecycle lifecycle = new ServiceLifecycle(body(0), reported::add);
        Thread serviceMain = new Thread(lifecycle::serviceMain);
        serviceMain.start();
        waitFor(() -> states().contains(RUNNING));
        Status running = reported.get(reported.size() - 1);
        assertEquals(ACCEPT_STOP | ACCEPT_SHUTDOWN, running.controlsAccepted());

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
    }

    @Test
    void shutdownStopsLikeStopAndASecondStopIsOnlyReported() throws Exception {
        ServiceLifecycle lifecycle = new ServiceLifecycle(body(0), reported::add);
        Thread serviceMain = new Thread(lifecycle::serviceMain);
        serviceMain.start();
        waitFor(() -> states().contains(RUNNING));
        lifecycle.onControl(CONTROL_SHUTDOWN);
        lifecycle.onControl(CONTROL_STOP);
        serviceMain.join(5000);
        assertEquals(1, stops.get());
        assertEquals(STOPPED, reported.get(reported.size() - 1).state());
    }

    @Test
    void startFailureReportsStoppedWithTheExitCodeSoTheScmRestartsIt() {
        ServiceLifecycle lifecycle = new ServiceLifecycle(body(2), reported::add);
        lifecycle.serviceMain(); // returns at once
        assertEquals(List.of(START_PENDING, STOPPED), states());
        Status stopped = reported.get(1);
        assertEquals(ERROR_SERVICE_SPECIFIC_ERROR, stopped.win32ExitCode());
        assertEquals(2, stopped.serviceSpecificExitCode());
        assertEquals(0, stops.get());
    }

    @Test
    void trackerPendingCheckpointsRestartPerState() {
        ServiceStatusTracker t = new ServiceStatusTracker();
        assertEquals(1, t.startPending().checkPoint());
        assertEquals(2, t.startPending().checkPoint());
        assertEquals(0, t.running().checkPoint());
        assertEquals(1, t.stopPending().checkPoint());
        assertEquals(ControlAction.REPORT, t.onControl(CONTROL_STOP), "already stopping");
        assertEquals(ControlAction.NOT_IMPLEMENTED, t.onControl(0x10)); // PARAMCHANGE
    }

    private List<Integer> states() {
        return reported.stream().map(Status::state).toList();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(5);
        }
    }
}
