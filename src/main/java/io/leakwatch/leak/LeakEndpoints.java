package io.leakwatch.leak;

import io.javalin.config.RoutesConfig;
import io.leakwatch.http.ExtraEndpoints;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Serves /leaks and /leaks.json from the latest published report. */
final class LeakEndpoints implements ExtraEndpoints {
    private final Supplier<LeakReport> report;
    private final String osName = System.getProperty("os.name", "");

    LeakEndpoints(Supplier<LeakReport> report) {
        this.report = report;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/leaks", ctx -> ctx.html(LeakPage.html(report.get(), osName)));
        routes.get("/leaks.json", ctx -> ctx.contentType("application/json").result(LeakJson.render(report.get(), osName)));
    }

    @Override
    public Map<String, String> links() {
        Map<String, String> links = new LinkedHashMap<>();
        links.put("/leaks", "leak suspects: processes whose memory or handle floor grows steadily, with charts and next steps");
        links.put("/leaks.json", "the same as JSON");
        return links;
    }
}
