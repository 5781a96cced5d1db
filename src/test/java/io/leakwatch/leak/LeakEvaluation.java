package io.leakwatch.leak;

import io.leakwatch.leak.LeakSettings;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.util.List;

import static io.leakwatch.model.ProcessSample.ABSENT;

/**
 * Runs a scenario's samples through the real {@link LeakDetector} with the default settings, the way
 * leakwatch does (one collection, then one evaluation, every minute) and reads off what a person
 * watching {@code leakwatch_leak_suspect} of the service's current process would have seen.
 */
final class LeakEvaluation {
    static final double T0 = 1_790_000_000; // a fixed Unix time, so runs are reproducible
    static final LeakSettings DEFAULTS = new LeakSettings(true, LeakScenarios.STEP_SECONDS, LeakScenarios.DAY, null,
            LeakScenarios.THRESHOLD, LeakScenarios.HANDLE_THRESHOLD);
    static final long FIRST_PID = 4000;

    private LeakEvaluation() {
    }

    /**
     * What one run showed.
     *
     * @param flagged        suspect at some point
     * @param firstFlag      seconds from the leak's start to the first suspect verdict (NaN if never)
     * @param lastFlag       seconds from the run's start to the last minute it was a suspect (NaN if never)
     * @param raises         how many times the verdict went from not suspect to suspect
     * @param rightResource  for a leak: the resource that leaks was the one flagged at the first flag
     * @param suspectMinutes minutes suspect
     */
    record Outcome(boolean flagged, double firstFlag, double lastFlag, int raises, boolean rightResource, int suspectMinutes) {
        /** Raises beyond the first: a verdict that went away and came back. */
        int flaps() {
            return Math.max(0, raises - 1);
        }

        /** Whether the run meets the scenario's target (see {@link LeakScenarios.Expect}). */
        boolean meets(LeakScenarios.Scenario s) {
            return switch (s.expect()) {
                case FLAG -> flagged && firstFlag <= LeakScenarios.DAY && raises == 1 && rightResource
                        && lastFlag >= LeakScenarios.DURATION_SECONDS - LeakScenarios.STEP_SECONDS;
                case NEVER -> !flagged;
                case CLEAR -> !flagged || raises == 1 && lastFlag < s.growthStops() + LeakScenarios.DAY / 4;
                case EITHER -> raises <= 1;
            };
        }
    }

    static ProcessInfo info(LeakScenarios.Scenario s, int life) {
        double start = T0 + life * s.restartEvery();
        return ProcessInfo.of(s.name(), FIRST_PID + life, 1, FIRST_PID + life, "svc", "/opt/" + s.name() + "/bin/agent --config /etc/agent.yml",
                start);
    }

    static ProcessSample sample(ProcessInfo info, double privateBytes, double handles) {
        return new ProcessSample(info, 1, 1, handles, 4, 20, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, 0, 0,
                ABSENT, ABSENT, privateBytes, privateBytes * 2, privateBytes, privateBytes, privateBytes);
    }

    static Outcome run(LeakScenarios.Scenario s, LeakScenarios.Series series) {
        LeakDetector detector = new LeakDetector(DEFAULTS, 64 * 1024 * LeakScenarios.MIB);
        boolean previous = false;
        double firstFlag = Double.NaN;
        double lastFlag = Double.NaN;
        int raises = 0;
        int minutes = 0;
        boolean rightResource = false;
        ProcessInfo info = null;
        for (int i = 0; i < series.times().length; i++) {
            double t = series.times()[i];
            int life = series.lives()[i];
            if (info == null || info.pid() != FIRST_PID + life) {
                info = info(s, life);
            }
            detector.ingest(new ProcessSnapshot(List.of(sample(info, series.privateBytes()[i], series.handles()[i])), 0, 0), T0 + t);
            LeakReport report = detector.evaluate(T0 + t);
            LeakVerdict v = report.processes().isEmpty() ? null : report.processes().get(0);
            boolean suspect = v != null && v.suspect();
            if (suspect) {
                minutes++;
                lastFlag = t;
                if (!previous) {
                    raises++;
                    if (Double.isNaN(firstFlag)) {
                        firstFlag = t - s.leakStart();
                        rightResource = s.handleLeak() ? v.handles().suspect() : v.privateBytes().suspect();
                    }
                }
            }
            previous = suspect;
        }
        return new Outcome(raises > 0, firstFlag, lastFlag, raises, rightResource, minutes);
    }
}
