package io.leakwatch.leak;

import io.leakwatch.metrics.ExtraEndpoint;

import java.util.List;
import java.util.function.Supplier;

/** /leaks and /leaks.json, served from the latest published report. */
final class LeakEndpoints {
    private LeakEndpoints() {
    }

    static List<ExtraEndpoint> of(Supplier<LeakReport> report) {
        String osName = System.getProperty("os.name", "");
        return List.of(
                new ExtraEndpoint("/leaks", "text/html; charset=utf-8",
                        "leak suspects: processes whose memory or handles keep growing, across restarts too, with charts and next steps",
                        out -> out.write(LeakPage.html(report.get(), osName))),
                new ExtraEndpoint("/leaks.json", "application/json",
                        "the same as JSON", out -> out.write(LeakJson.render(report.get(), osName))));
    }
}
