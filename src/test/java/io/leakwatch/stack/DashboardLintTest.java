package io.leakwatch.stack;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Grafana (10 to 12) needs from the shipped dashboard and what makes it usable, checked on the
 * JSON itself: there is no Grafana server here. Every failure names the panel.
 */
class DashboardLintTest {
    private static final Set<String> CURRENT_PANEL_TYPES = Set.of("timeseries", "stat", "table", "bargauge", "row");
    private static final String DATASOURCE = "${datasource}";
    private static final Pattern RANGE_OF_RATE = Pattern.compile("\\b(rate|irate|increase)\\s*\\((?:[^()\\[]|\\([^()]*\\))*\\[([^\\]]+)]");

    private final Dashboard dashboard = Dashboard.shipped();
    private final List<String> problems = new ArrayList<>();

    @Test
    void dashboardLevel() {
        assertTrue(dashboard.root.path("schemaVersion").asInt() >= 39, "schemaVersion >= 39");
        assertEquals("now-7d", dashboard.root.path("time").path("from").asText(), "default range 7 days");
        assertEquals("now", dashboard.root.path("time").path("to").asText());
        assertTrue(dashboard.root.path("uid").asText().matches("[a-zA-Z0-9_-]{1,40}"), "uid Grafana accepts");
        assertTrue(dashboard.root.path("id").isMissingNode() || dashboard.root.path("id").isNull(),
                "no numeric id: it belongs to one Grafana database and breaks import/provisioning elsewhere");
    }

    @Test
    void variables() {
        Map<String, JsonNode> vars = dashboard.variables();
        assertEquals(List.of("datasource", "job", "instance", "process", "topn"), List.copyOf(vars.keySet()));
        JsonNode ds = vars.get("datasource");
        assertEquals("datasource", ds.path("type").asText());
        assertEquals("prometheus", ds.path("query").asText());
        for (String name : List.of("job", "instance", "process")) {
            JsonNode v = vars.get(name);
            assertEquals("query", v.path("type").asText(), name);
            assertEquals(DATASOURCE, v.path("datasource").path("uid").asText(), name + " on ${datasource}");
            assertTrue(Dashboard.variableQuery(v).startsWith("label_values("), name);
        }
        JsonNode process = vars.get("process");
        assertTrue(process.path("multi").asBoolean() && process.path("includeAll").asBoolean(), "process: multi + All");
        JsonNode topn = vars.get("topn");
        assertTrue(topn.path("current").path("value").asText().matches("[0-9]+"), "top-N has a numeric default");
        // variables may use only variables defined before them (Grafana resolves them in order)
        List<String> defined = new ArrayList<>();
        for (JsonNode v : vars.values()) {
            for (String used : Dashboard.variablesIn(Dashboard.variableQuery(v))) {
                if (!Dashboard.BUILT_IN.contains(used) && !defined.contains(used)) {
                    problems.add("variable " + v.path("name").asText() + " uses $" + used + " defined after it or nowhere");
                }
            }
            defined.add(v.path("name").asText());
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void panels() {
        Set<Integer> ids = new HashSet<>();
        Set<String> defined = dashboard.variables().keySet();
        for (JsonNode p : dashboard.panels()) {
            String name = "panel " + p.path("id") + " \"" + p.path("title").asText() + "\"";
            String type = p.path("type").asText();
            check(CURRENT_PANEL_TYPES.contains(type), name + ": type " + type + " is not a current panel type");
            check(p.path("id").isInt() && ids.add(p.path("id").asInt()), name + ": id missing or not unique");
            check(!p.path("title").asText().isBlank(), name + ": no title");
            JsonNode gp = p.path("gridPos");
            int x = gp.path("x").asInt(-1);
            int w = gp.path("w").asInt(0);
            check(x >= 0 && w > 0 && x + w <= 24 && gp.path("h").asInt(0) > 0 && gp.path("y").asInt(-1) >= 0,
                    name + ": gridPos " + gp + " outside the 24 columns");
            for (String used : Dashboard.variablesIn(p.toString())) {
                check(defined.contains(used) || Dashboard.BUILT_IN.contains(used), name + ": $" + used + " is not defined");
            }
            if ("row".equals(type)) {
                continue;
            }
            check(DATASOURCE.equals(p.path("datasource").path("uid").asText())
                            && "prometheus".equals(p.path("datasource").path("type").asText()),
                    name + ": datasource must be {type: prometheus, uid: ${datasource}}");
            check(!p.path("description").asText().isBlank(), name + ": no description");
            check(!p.path("description").asText().contains("\n"), name + ": description is one line");
            String unit = p.path("fieldConfig").path("defaults").path("unit").asText();
            check(!unit.isBlank(), name + ": no unit");
            check(p.path("targets").size() > 0, name + ": no query");
            Set<String> refIds = new HashSet<>();
            for (JsonNode t : p.path("targets")) {
                check(DATASOURCE.equals(t.path("datasource").path("uid").asText()), name + " target " + t.path("refId") + ": datasource not ${datasource}");
                check(refIds.add(t.path("refId").asText()), name + ": refId " + t.path("refId") + " repeated");
                String expr = t.path("expr").asText();
                check(!expr.isBlank(), name + ": target without expr");
                PromqlLint.problems(expr).forEach(problem -> problems.add(name + ": " + problem));
                Matcher m = RANGE_OF_RATE.matcher(expr);
                while (m.find()) {
                    String range = m.group(2).replaceAll("\\s*@.*", "").trim();
                    check(range.equals("$__rate_interval") || range.equals("$__range"),
                            name + ": " + m.group(1) + "() over [" + range + "], use $__rate_interval (or $__range for a whole-range figure)");
                }
                boolean instant = t.path("instant").asBoolean(false);
                check(instant == !"timeseries".equals(type), name + ": timeseries panels run range queries, the others instant ones");
            }
        }
        assertEquals(List.of(), problems);
    }

    /** Overlapping panels get pushed around by Grafana: the layout would not be the one shipped. */
    @Test
    void panelsDoNotOverlap() {
        List<JsonNode> panels = dashboard.root.findParents("gridPos");
        for (int i = 0; i < panels.size(); i++) {
            for (int j = i + 1; j < panels.size(); j++) {
                JsonNode a = panels.get(i).path("gridPos");
                JsonNode b = panels.get(j).path("gridPos");
                boolean apart = a.path("x").asInt() + a.path("w").asInt() <= b.path("x").asInt()
                        || b.path("x").asInt() + b.path("w").asInt() <= a.path("x").asInt()
                        || a.path("y").asInt() + a.path("h").asInt() <= b.path("y").asInt()
                        || b.path("y").asInt() + b.path("h").asInt() <= a.path("y").asInt();
                check(apart, "panels " + panels.get(i).path("id") + " and " + panels.get(j).path("id") + " overlap");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void panelsTheIssueAsksFor() {
        Set<String> titles = new HashSet<>();
        dashboard.dataPanels().forEach(p -> titles.add(p.path("title").asText()));
        for (String wanted : List.of("Private working set per process", "Private bytes per process", "Working set per process",
                "Growth leaderboard", "Time to exhaustion", "Handles per process", "Threads per process", "CPU per process",
                "I/O per process", "Process table")) {
            check(titles.contains(wanted), "missing panel " + wanted);
        }
        assertEquals(List.of(), problems);
    }

    private void check(boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }
}
