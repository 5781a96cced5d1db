package io.leakwatch.service;

import com.sun.jna.platform.win32.Winsvc;
import io.leakwatch.service.ServiceControl.ServiceException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Install, start, stop and uninstall as decisions over the fake Service Control Manager. */
class WindowsServiceControlTest {
    private final FakeScm scm = new FakeScm();
    private final WindowsServiceControl control = new WindowsServiceControl(scm, scm, line -> { }, false);
    private final ServiceDefinition definition = ServiceDefinition.of("C:\\Java\\bin\\java.exe",
            "C:\\Program Files\\leakwatch\\leakwatch.jar", "win32-x86-64", List.of(), List.of("--collector.process.include=svchost.*"),
            "C:\\Program Files\\leakwatch\\leakwatch.log");

    @Test
    void installRestartsThreeTimesThenStopsRestartingUntilTheCountResets() throws Exception {
        control.install(definition);
        FakeScm.FakeService service = scm.services.get("leakwatch");
        assertEquals(ServiceDefinition.DESCRIPTION, service.description);
        assertTrue(service.actionsOnNonCrashFailures, "a STOPPED with an exit code counts as a failure");
        assertEquals(24 * 60 * 60, service.resetSeconds);
        int restarts = 0;
        for (int failure = 1; failure <= 20; failure++) { // a port that stays taken: every start fails
            if (service.actionOnFailure(failure).type() == Winsvc.SC_ACTION_RESTART) {
                restarts++;
                assertEquals(10_000, service.actionOnFailure(failure).delayMillis());
            }
        }
        assertEquals(3, restarts, "the SCM repeats the last action: it must not be a restart");
        assertEquals(0, scm.openHandles, "every handle closed");
    }

    /**
     * As windows_exporter's installer sets it: a JVM starting among all the boot-time services
     * risks Windows' 30 s limit (events 7000/7009); two minutes after boot it does not.
     */
    @Test
    void installUsesDelayedAutomaticStart() throws Exception {
        control.install(definition);
        assertTrue(scm.services.get("leakwatch").delayedAutoStart);
    }

    @Test
    void installKeepsOnlyThePrivilegesTheServiceNeeds() throws Exception {
        control.install(definition);
        assertEquals(List.of("SeDebugPrivilege", "SeChangeNotifyPrivilege"), scm.services.get("leakwatch").privileges);
    }

    @Test
    void aFailedConfigurationStepRemovesTheHalfInstalledService() {
        for (String step : List.of("setDescription", "setFailureActions", "setFailureActionsFlag", "setDelayedAutoStart",
                "setRequiredPrivileges")) {
            scm.failures.clear();
            scm.failures.put(step, 5);
            ServiceException e = assertThrows(ServiceException.class, () -> control.install(definition), step);
            assertEquals(5, e.win32Error());
            assertTrue(e.getMessage().contains("removed again"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertTrue(scm.services.isEmpty(), step + " left a half-installed service");
            assertEquals(0, scm.openHandles);
        }
    }

    @Test
    void aFailedRollbackSaysWhatToDo() {
        scm.failures.put("setFailureActions", 1072);
        scm.failures.put("delete", 5);
        ServiceException e = assertThrows(ServiceException.class, () -> control.install(definition));
        assertTrue(e.getMessage().contains("leakwatch service uninstall"), e.getMessage());
    }

    /** The service's heartbeat keeps the checkpoint moving: a start longer than the wait hint is not a failure. */
    @Test
    void startWaitsForAStartThatKeepsReportingProgress() throws Exception {
        control.install(definition);
        FakeScm.FakeService service = scm.services.get("leakwatch");
        service.onStart = t -> t < 60_000
                ? new Scm.Status(Winsvc.SERVICE_START_PENDING, 0, 0, (int) (1 + t / 2_000), 15_000)
                : new Scm.Status(Winsvc.SERVICE_RUNNING, 0, 0, 0, 0);
        control.start("leakwatch");
        assertEquals(Winsvc.SERVICE_RUNNING, service.status().state());
        assertTrue(scm.now >= 60_000);
    }

    /**
     * Until java.exe has started and leakwatch's first status report arrives, the SCM itself says
     * START_PENDING with checkpoint 0 and a 2 s wait hint. A JVM that needs 4 s (a cold disk, a
     * virus scan of the jar on first open) is starting, not failing: wait for it as the SCM does.
     */
    @Test
    void aSlowJvmStartIsWaitedForUpToTheServicesPipeTimeout() throws Exception {
        control.install(definition);
        FakeScm.FakeService service = scm.services.get("leakwatch");
        service.launchMillis = 4_000;
        service.onStart = t -> t < 6_000
                ? new Scm.Status(Winsvc.SERVICE_START_PENDING, 0, 0, (int) (1 + t / 2_000), 15_000)
                : new Scm.Status(Winsvc.SERVICE_RUNNING, 0, 0, 0, 0);
        control.start("leakwatch");
        assertEquals(Winsvc.SERVICE_RUNNING, service.status().state());

        // 25 s before java.exe reports: still inside the 30 s that Windows itself gives a service process
        control.stop("leakwatch");
        service.launchMillis = 25_000;
        control.start("leakwatch");
        assertEquals(Winsvc.SERVICE_RUNNING, service.status().state());
    }

    /** Windows stops waiting for a service process after ServicesPipeTimeout; so does 'service start'. */
    @Test
    void aJvmThatNeverReportsIsGivenUpAfterTheServicesPipeTimeout() throws Exception {
        control.install(definition);
        scm.pipeTimeoutMillis = 60_000; // raised by the administrator
        scm.services.get("leakwatch").launchMillis = Long.MAX_VALUE / 2;
        long startedAt = scm.now;
        ServiceException e = assertThrows(ServiceException.class, () -> control.start("leakwatch"));
        assertEquals(ServiceErrors.SERVICE_REQUEST_TIMEOUT, e.win32Error());
        assertTrue(scm.now - startedAt >= 60_000 && scm.now - startedAt < 75_000, "waited " + (scm.now - startedAt));
        assertTrue(e.getMessage().contains("has not reported since Windows started it 60 s ago"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** A start without progress is reported as still starting, not as "stopped while starting". */
    @Test
    void aStartWithoutProgressIsReportedAsStillStarting() throws Exception {
        control.install(definition);
        scm.services.get("leakwatch").onStart = t -> new Scm.Status(Winsvc.SERVICE_START_PENDING, 0, 0, 1, 15_000);
        ServiceException e = assertThrows(ServiceException.class, () -> control.start("leakwatch"));
        assertEquals(ServiceErrors.SERVICE_REQUEST_TIMEOUT, e.win32Error());
        assertTrue(e.getMessage().contains("still starting"), e.getMessage());
        assertFalse(e.getMessage().contains("stopped while starting"), e.getMessage());
        assertTrue(scm.now >= 15_000 && scm.now < 30_000, "gave up one wait hint after the last progress: " + scm.now);
    }

    /** StartService's "file not found": the Java the service runs is gone (an update removed its folder). */
    @Test
    void aMissingJavaIsExplainedInWords() throws Exception {
        control.install(definition);
        scm.failures.put("start", 2);
        ServiceException e = assertThrows(ServiceException.class, () -> control.start("leakwatch"));
        assertEquals(2, e.win32Error());
        assertTrue(e.getMessage().startsWith("Windows cannot find C:\\Java\\bin\\java.exe, the Java the service runs"),
                e.getMessage());
        assertTrue(e.getMessage().contains("service install"), "says how to get going again: " + e.getMessage());
        assertTrue(e.getMessage().endsWith("(Win32 error 2)"), e.getMessage());
    }

    /** StartService's 1053: the process did not connect in time. */
    @Test
    void aJvmThatDidNotConnectInTimeIsExplainedInWords() throws Exception {
        control.install(definition);
        scm.failures.put("start", 1053);
        ServiceException e = assertThrows(ServiceException.class, () -> control.start("leakwatch"));
        assertTrue(e.getMessage().contains("did not connect to Windows within 30 s"), e.getMessage());
        assertTrue(e.getMessage().contains("ServicesPipeTimeout"), e.getMessage());
    }

    /** STOPPED with 1067: java.exe ended before leakwatch could report (a refused option, a broken Java). */
    @Test
    void aJvmThatEndedAtOnceIsExplainedInWords() throws Exception {
        control.install(definition);
        scm.services.get("leakwatch").onStart = t -> new Scm.Status(Winsvc.SERVICE_STOPPED, 1067, 0, 0, 0);
        ServiceException e = assertThrows(ServiceException.class, () -> control.start("leakwatch"));
        assertEquals(1067, e.win32Error());
        assertTrue(e.getMessage().startsWith("java.exe ended before leakwatch started"), e.getMessage());
        assertEquals("C:\\Java\\bin\\java.exe", WindowsCommandLine.split(control.commandLine("leakwatch")).get(0));
    }

    @Test
    void aStartThatEndsStoppedGivesLeakwatchsExitCode() throws Exception {
        control.install(definition);
        scm.services.get("leakwatch").onStart = t -> t < 3_000
                ? new Scm.Status(Winsvc.SERVICE_START_PENDING, 0, 0, 1, 15_000)
                : new Scm.Status(Winsvc.SERVICE_STOPPED, ServiceErrors.SERVICE_SPECIFIC_ERROR, 2, 0, 0);
        ServiceException e = assertThrows(ServiceException.class, () -> control.start("leakwatch"));
        assertEquals(ServiceErrors.SERVICE_SPECIFIC_ERROR, e.win32Error());
        assertTrue(e.getMessage().contains("stopped while starting with exit code 2"), e.getMessage());
    }

    @Test
    void stopWaitsWhileStopPendingProgressesAndTimesOutWithoutProgress() throws Exception {
        control.install(definition);
        FakeScm.FakeService service = scm.services.get("leakwatch");
        control.start("leakwatch");
        service.onStop = t -> t < 20_000
                ? new Scm.Status(Winsvc.SERVICE_STOP_PENDING, 0, 0, (int) (1 + t / 2_000), 15_000)
                : new Scm.Status(Winsvc.SERVICE_STOPPED, 0, 0, 0, 0);
        control.stop("leakwatch");
        assertEquals(Winsvc.SERVICE_STOPPED, service.status().state());

        control.start("leakwatch");
        service.onStop = t -> new Scm.Status(Winsvc.SERVICE_STOP_PENDING, 0, 0, 1, 15_000);
        ServiceException e = assertThrows(ServiceException.class, () -> control.stop("leakwatch"));
        assertEquals(ServiceErrors.SERVICE_REQUEST_TIMEOUT, e.win32Error());
        assertTrue(e.getMessage().contains("still stopping"), e.getMessage());
    }

    @Test
    void uninstallStopsARunningServiceFirst() throws Exception {
        control.install(definition);
        assertEquals(Set.of("leakwatch"), scm.eventSources, "the service logs to the Application event log");
        control.start("leakwatch");
        control.uninstall("leakwatch");
        assertTrue(scm.services.isEmpty());
        assertEquals(Set.of(), scm.eventSources);
        assertTrue(scm.calls.indexOf("stop leakwatch") < scm.calls.indexOf("delete leakwatch"), scm.calls.toString());
        assertEquals(0, scm.openHandles);
        ServiceException e = assertThrows(ServiceException.class, () -> control.uninstall("leakwatch"));
        assertEquals(ServiceErrors.SERVICE_DOES_NOT_EXIST, e.win32Error());
    }

    @Test
    void uninstallOfAStoppedServiceSendsNoStop() throws Exception {
        control.install(definition);
        control.uninstall("leakwatch");
        assertTrue(scm.services.isEmpty());
        assertFalse(scm.calls.contains("stop leakwatch"), scm.calls.toString());
        assertEquals(0, scm.openHandles);
    }

    /**
     * A failed status query reports the error JNA saved right after the call, not what
     * Kernel32.GetLastError() says later (jna-platform's W32Service asks that), and closing a
     * handle goes through the same calls. The fake has no GetLastError to ask.
     */
    @Test
    void statusAndCloseUseTheErrorJnaSavedRightAfterTheCall() throws Exception {
        FakeAdvapi32 fake = new FakeAdvapi32();
        JnaScm jna = new JnaScm(fake.api, () -> fake.lastError);
        try (Scm.Service service = jna.open("leakwatch", Winsvc.SERVICE_QUERY_STATUS)) {
            Scm.Status status = service.status();
            assertEquals(new Scm.Status(Winsvc.SERVICE_RUNNING, 0, 0, 3, 15_000), status);
            fake.failures.put("QueryServiceStatusEx", 1115); // ERROR_SHUTDOWN_IN_PROGRESS
            ServiceException e = assertThrows(ServiceException.class, service::status);
            assertEquals(1115, e.win32Error());
        }
        assertEquals(Map.of(), fake.open, "the manager and the service handle are closed");
        assertEquals(1, fake.calls.stream().filter("OpenService"::equals).count());
        assertEquals(2, fake.calls.stream().filter("CloseServiceHandle"::equals).count(), fake.calls.toString());
    }

    /** The seam repeats jna-platform's signatures exactly, so production calls its mappings unchanged. */
    @Test
    void theSeamHasJnaPlatformsSignatures() throws Exception {
        for (var m : ScmCalls.class.getDeclaredMethods()) {
            if (java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            var mapped = com.sun.jna.platform.win32.Advapi32.class.getMethod(m.getName(), m.getParameterTypes());
            assertEquals(mapped.getReturnType(), m.getReturnType(), m.toString());
        }
    }

    @Test
    void theDelayedStartStructureIsOneBool() {
        JnaScm.DelayedAutoStartInfo info = new JnaScm.DelayedAutoStartInfo();
        info.fDelayedAutostart = 1;
        info.write();
        assertEquals(4, info.size(), "SERVICE_DELAYED_AUTO_START_INFO is a BOOL");
        assertEquals(1, info.getPointer().getInt(0));
    }

    @Test
    void requiredPrivilegesAreAUtf16MultiSz() {
        byte[] bytes = JnaScm.multiSz(List.of("SeDebugPrivilege", "SeChangeNotifyPrivilege"));
        assertEquals("SeDebugPrivilege\0SeChangeNotifyPrivilege\0\0", new String(bytes, java.nio.charset.StandardCharsets.UTF_16LE));
        assertThrows(IllegalArgumentException.class, () -> JnaScm.multiSz(List.of("")));
    }

    /** What JnaScm passes to ChangeServiceConfig2, built as jna-platform's W32Service.setFailureActions did. */
    @Test
    void failureActionsAreTheStructureW32ServiceBuilt() {
        Winsvc.SERVICE_FAILURE_ACTIONS info = JnaScm.failureActions(WindowsServiceControl.FAILURE_ACTIONS,
                WindowsServiceControl.FAILURE_RESET_SECONDS);
        assertInstanceOf(Winsvc.SERVICE_FAILURE_ACTIONS.ByReference.class, info);
        assertEquals(24 * 60 * 60, info.dwResetPeriod);
        assertNull(info.lpRebootMsg);
        assertNull(info.lpCommand);
        assertEquals(4, info.cActions);
        info.write(); // what JNA does before the call: the actions array in native memory, SC_ACTION is two DWORDs
        for (int i = 0; i < 4; i++) {
            assertEquals(WindowsServiceControl.FAILURE_ACTIONS.get(i).type(), info.lpsaActions.getPointer().getInt(8L * i));
            assertEquals(WindowsServiceControl.FAILURE_ACTIONS.get(i).delayMillis(), info.lpsaActions.getPointer().getInt(8L * i + 4));
        }
        assertThrows(IllegalArgumentException.class, () -> JnaScm.failureActions(
                List.of(new Scm.FailureAction(Winsvc.SC_ACTION_REBOOT, 0)), 0), "no SeShutdownPrivilege is acquired");
    }
}
