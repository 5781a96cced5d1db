package io.leakwatch.stack;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A few calls of Prometheus' HTTP API v1 on a loopback Prometheus. */
final class PrometheusApi {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    PrometheusApi(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Instant query at time (seconds); the whole JSON answer, error or not. */
    JsonNode query(String promql, double time) {
        return post("/api/v1/query", Map.of("query", promql, "time", Double.toString(time)));
    }

    JsonNode queryRange(String promql, double start, double end, int stepSeconds) {
        return post("/api/v1/query_range", Map.of("query", promql, "start", Double.toString(start),
                "end", Double.toString(end), "step", Integer.toString(stepSeconds)));
    }

    JsonNode labelValues(String label, String match, double start, double end) {
        return get("/api/v1/label/" + label + "/values?" + form(Map.of("match[]", match,
                "start", Double.toString(start), "end", Double.toString(end))));
    }

    JsonNode rules() {
        return get("/api/v1/rules");
    }

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private JsonNode post(String path, Map<String, String> params) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(params))));
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return StackFiles.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("Prometheus API: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String form(Map<String, String> params) {
        return new LinkedHashMap<>(params).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
