package io.leakwatch.service;

import com.sun.jna.platform.win32.Winsvc;
import io.leakwatch.service.ServiceControl.ServiceException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * A Service Control Manager in memory: services with their configuration, a clock that moves when
 * the caller sleeps, scripted states over time, calls that fail with a given Win32 error, and the
 * SCM's documented failure-action rule (the Nth failure runs action N, the last one repeats).
 */
final class FakeScm implements Scm, WindowsServiceControl.Clock {
    final Map<String, FakeService> services = new LinkedHashMap<>();
    final List<String> calls = new ArrayList<>();
    /** Call name ("setFailureActions", "start", ...) to the Win32 error it fails with. */
    final Map<String, Integer> failures = new LinkedHashMap<>();
    /** Sources registered in the Application event log. */
    final Set<String> eventSources = new LinkedHashSet<>();
    long now;
    int openHandles;
    /** HKLM\SYSTEM\CurrentControlSet\Control\ServicesPipeTimeout, as the SCM reads it (30 s when unset). */
    int pipeTimeoutMillis = 30_000;
    /** What the SCM reports on its own between StartService and the service's first SetServiceStatus. */
    static final Status LAUNCHING = new Status(Winsvc.SERVICE_START_PENDING, 0, 0, 0, 2_000);

    final class FakeService implements Scm.Service {
        final String name;
        String commandLine;
        String description;
        List<FailureAction> failureActions = List.of();
        int resetSeconds;
        boolean actionsOnNonCrashFailures;
        List<String> privileges;
        boolean delayedAutoStart;
        boolean deleted;
        /** State as a function of the fake time; set by start() and stop() unless a test scripted one. */
        LongFunction<Status> script = t -> new Status(Winsvc.SERVICE_STOPPED, 0, 0, 0, 0);
        LongFunction<Status> onStart = t -> new Status(Winsvc.SERVICE_RUNNING, 0, 0, 0, 0);
        LongFunction<Status> onStop = t -> new Status(Winsvc.SERVICE_STOPPED, 0, 0, 0, 0);
        /**
         * Time from StartService until the service's own first report (java.exe starting, loading
         * the jar and JNA): the SCM answers {@link #LAUNCHING} meanwhile, then {@link #onStart} runs
         * from that moment.
         */
        long launchMillis;
        boolean closed;

        FakeService(String name) {
            this.name = name;
        }

        private void call(String what) throws ServiceException {
            calls.add(what + " " + name);
            Integer error = failures.get(what);
            if (error != null) {
                throw new ServiceException(name, error);
            }
        }

        @Override
        public void setDescription(String description) throws ServiceException {
            call("setDescription");
            this.description = description;
        }

        @Override
        public void setFailureActions(List<FailureAction> actions, int resetPeriodSeconds) throws ServiceException {
            call("setFailureActions");
            this.failureActions = List.copyOf(actions);
            this.resetSeconds = resetPeriodSeconds;
        }

        @Override
        public void setFailureActionsOnNonCrashFailures(boolean enabled) throws ServiceException {
            call("setFailureActionsFlag");
            this.actionsOnNonCrashFailures = enabled;
        }

        @Override
        public void setDelayedAutoStart(boolean delayed) throws ServiceException {
            call("setDelayedAutoStart");
            this.delayedAutoStart = delayed;
        }

        @Override
        public void setRequiredPrivileges(List<String> privileges) throws ServiceException {
            call("setRequiredPrivileges");
            this.privileges = List.copyOf(privileges);
        }

        @Override
        public Status status() throws ServiceException {
            call("status");
            return script.apply(now);
        }

        @Override
        public void start() throws ServiceException {
            call("start");
            long startedAt = now;
            long launch = launchMillis;
            LongFunction<Status> started = onStart;
            script = t -> t - startedAt < launch ? LAUNCHING : started.apply(t - startedAt - launch);
        }

        @Override
        public void stop() throws ServiceException {
            call("stop");
            long stoppedAt = now;
            LongFunction<Status> stopping = onStop;
            script = t -> stopping.apply(t - stoppedAt);
        }

        @Override
        public void delete() throws ServiceException {
            call("delete");
            deleted = true;
            services.remove(name);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                openHandles--;
            }
        }

        /** The action the SCM takes on the {@code n}th failure since the last reset (1-based). */
        FailureAction actionOnFailure(int n) {
            return failureActions.get(Math.min(n, failureActions.size()) - 1);
        }
    }

    @Override
    public Service create(ServiceDefinition definition) throws ServiceException {
        calls.add("create " + definition.name());
        Integer error = failures.get("create");
        if (error != null) {
            throw new ServiceException(definition.name(), error);
        }
        if (services.containsKey(definition.name())) {
            throw new ServiceException(definition.name(), ServiceErrors.SERVICE_EXISTS);
        }
        FakeService service = new FakeService(definition.name());
        service.commandLine = definition.commandLine();
        services.put(definition.name(), service);
        openHandles++;
        return service;
    }

    @Override
    public Service open(String name, int access) throws ServiceException {
        calls.add("open " + name);
        FakeService service = services.get(name);
        if (service == null) {
            throw new ServiceException(name, ServiceErrors.SERVICE_DOES_NOT_EXIST);
        }
        service.closed = false;
        openHandles++;
        return service;
    }

    @Override
    public String commandLine(String name) throws ServiceException {
        FakeService service = services.get(name);
        if (service == null) {
            throw new ServiceException(name, ServiceErrors.SERVICE_DOES_NOT_EXIST);
        }
        return service.commandLine;
    }

    @Override
    public void registerEventSource(String source) {
        eventSources.add(source);
    }

    @Override
    public void unregisterEventSource(String source) {
        eventSources.remove(source);
    }

    @Override
    public void dispatch(String name, Function<Consumer<ServiceStatusTracker.Status>, ServiceLifecycle> lifecycle) {
        throw new UnsupportedOperationException("the lifecycle is tested on its own");
    }

    @Override
    public int servicesPipeTimeoutMillis() {
        return pipeTimeoutMillis;
    }

    @Override
    public long millis() {
        return now;
    }

    @Override
    public void sleep(long millis) {
        now += millis;
    }
}
