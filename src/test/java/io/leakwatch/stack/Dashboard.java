package io.leakwatch.stack;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shipped Grafana dashboard: its panels (rows' children included), queries and variables. */
final class Dashboard {
    /** Grafana's own variables, always defined. */
    static final Set<String> BUILT_IN = Set.of("__rate_interval", "__interval", "__interval_ms", "__range", "__range_s",
            "__range_ms", "__from", "__to", "__all", "__dashboard", "__org", "__user", "timeFilter", "__timeFilter");
    /** $name, ${name}, ${name:format}, [[name]]; $1 (a regex group in label_replace) is not a variable. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?}|\\$([A-Za-z_][A-Za-z0-9_]*)|\\[\\[([A-Za-z_][A-Za-z0-9_]*)]]");

    final JsonNode root;

    Dashboard(JsonNode root) {
        this.root = root;
    }

    static Dashboard shipped() {
        return new Dashboard(StackFiles.json(StackFiles.DASHBOARD));
    }

    List<JsonNode> panels() {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode p : root.path("panels")) {
            all.add(p);
            p.path("panels").forEach(all::add); // children of a collapsed row
        }
        return all;
    }

    List<JsonNode> dataPanels() {
        return panels().stream().filter(p -> !"row".equals(p.path("type").asText())).toList();
    }

    Map<String, JsonNode> variables() {
        Map<String, JsonNode> vars = new LinkedHashMap<>();
        root.path("templating").path("list").forEach(v -> vars.put(v.path("name").asText(), v));
        return vars;
    }

    static List<String> variablesIn(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            names.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return names;
    }

    /** The query string of a query variable (Grafana stores a string or an object with "query"). */
    static String variableQuery(JsonNode variable) {
        JsonNode q = variable.path("query");
        return q.isObject() ? q.path("query").asText() : q.asText();
    }
}
