package io.leakwatch.leak;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads what Prometheus' HTTP API answers, as a stream (the answer may be gigabytes): a range query's {@code matrix}
 * (or an instant query's {@code vector}) series by series, values one by one, and the series list of
 * {@code /api/v1/series}. Nothing of the answer is kept but the labels of the series being read. Limits: labels per
 * series, label lengths, nesting; numbers that are not finite are skipped, as Prometheus writes NaN and Inf as strings.
 */
final class PrometheusJson {
    /** Labels one series may have. */
    static final int MAX_LABELS = 128;
    /** Longest label value (a command line can be long). */
    static final int MAX_LABEL_VALUE = 64 * 1024;

    /** A problem with the input, with where it is: one line for the user. */
    static final class BadInput extends IOException {
        BadInput(String message) {
            super(message, null);
        }
    }

    /** What the reader hands over. */
    interface Handler {
        /**
         * A series starts.
         *
         * @return whether its values are wanted
         */
        boolean series(Map<String, String> labels) throws IOException;

        /** One value of the series last announced (only when it was wanted). */
        void value(double timeSeconds, double value) throws IOException;
    }

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxStringLength(MAX_LABEL_VALUE)
                    .maxNameLength(1024)
                    .maxNumberLength(64)
                    .build())
            .build();

    private PrometheusJson() {
    }

    /**
     * Reads one answer.
     *
     * @param source names the input in messages (a file name or a URL)
     * @return the result type ("matrix", "vector", or "series" for a series list)
     */
    static String read(InputStream in, String source, Handler handler) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad(source, p, "is not a Prometheus API answer (a JSON object with \"status\" and \"data\")");
            }
            String status = null;
            String error = null;
            String type = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "status" -> status = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "error" -> error = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "data" -> type = data(p, source, handler);
                    default -> p.skipChildren();
                }
            }
            if ("error".equals(status)) {
                throw new BadInput(source + ": Prometheus answered with an error: " + oneLine(error == null ? "(no message)" : error));
            }
            if (type == null) {
                throw bad(source, p, "has no \"data\": not a Prometheus API answer");
            }
            return type;
        } catch (BadInput e) {
            throw e;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new BadInput(source + ": not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr()) + ": " + oneLine(e.getOriginalMessage()));
        }
    }

    private static String data(JsonParser p, String source, Handler handler) throws IOException {
        if (p.currentToken() == JsonToken.START_ARRAY) { // /api/v1/series: a list of label sets
            while (p.nextToken() == JsonToken.START_OBJECT) {
                handler.series(labels(p, source));
            }
            expect(p, JsonToken.END_ARRAY, source, "a list of label sets");
            return "series";
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw bad(source, p, "has a \"data\" that is neither an object nor a list");
        }
        String type = null;
        boolean sawResult = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals("resultType") && t == JsonToken.VALUE_STRING) {
                type = p.getText();
                if (!type.equals("matrix") && !type.equals("vector")) {
                    throw bad(source, p, "holds a " + type + ", not the series of a range query (query_range gives a matrix)");
                }
            } else if (field.equals("result") && t == JsonToken.START_ARRAY) {
                sawResult = true;
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    series(p, source, handler);
                }
                expect(p, JsonToken.END_ARRAY, source, "the list of series");
            } else {
                p.skipChildren();
            }
        }
        if (!sawResult) {
            throw bad(source, p, "has no \"result\" list");
        }
        return type == null ? "matrix" : type;
    }

    private static void series(JsonParser p, String source, Handler handler) throws IOException {
        Boolean wanted = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "metric" -> {
                    if (t != JsonToken.START_OBJECT) {
                        throw bad(source, p, "has a series whose \"metric\" is not an object of labels");
                    }
                    wanted = handler.series(labels(p, source));
                }
                case "values" -> {
                    if (wanted == null) {
                        throw bad(source, p, "has a series whose values come before its labels");
                    }
                    if (t != JsonToken.START_ARRAY) {
                        throw bad(source, p, "has a series whose \"values\" is not a list");
                    }
                    while (p.nextToken() == JsonToken.START_ARRAY) {
                        point(p, source, handler, wanted);
                    }
                    expect(p, JsonToken.END_ARRAY, source, "a list of [time, \"value\"] pairs");
                }
                case "value" -> {
                    if (wanted == null || t != JsonToken.START_ARRAY) {
                        throw bad(source, p, "has a series whose \"value\" is not a [time, \"value\"] pair after its labels");
                    }
                    point(p, source, handler, wanted);
                }
                default -> p.skipChildren();
            }
        }
    }

    /** One [time, "value"] pair; the opening bracket is the current token. */
    private static void point(JsonParser p, String source, Handler handler, boolean wanted) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null || !t.isNumeric()) {
            throw bad(source, p, "has a sample whose time is not a number");
        }
        double time = p.getDoubleValue();
        t = p.nextToken();
        double value;
        if (t == JsonToken.VALUE_STRING) {
            try {
                value = Double.parseDouble(p.getText());
            } catch (NumberFormatException e) {
                throw bad(source, p, "has a sample value that is not a number: \"" + printable(p.getText()) + "\"");
            }
        } else if (t != null && t.isNumeric()) {
            value = p.getDoubleValue();
        } else {
            throw bad(source, p, "has a sample value that is neither a number nor a string");
        }
        p.nextToken();
        expect(p, JsonToken.END_ARRAY, source, "a [time, \"value\"] pair");
        if (wanted && Double.isFinite(time) && Double.isFinite(value)) {
            handler.value(time, value);
        }
    }

    private static Map<String, String> labels(JsonParser p, String source) throws IOException {
        Map<String, String> labels = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw bad(source, p, "has a label " + printable(name) + " whose value is not a string");
            }
            if (labels.size() >= MAX_LABELS) {
                throw bad(source, p, "has a series with more than " + MAX_LABELS + " labels");
            }
            labels.put(name, p.getText());
        }
        return labels;
    }

    private static void expect(JsonParser p, JsonToken token, String source, String what) throws IOException {
        if (p.currentToken() != token) {
            throw bad(source, p, "is damaged inside " + what);
        }
    }

    private static BadInput bad(String source, JsonParser p, String what) {
        JsonLocation at = p.currentLocation();
        return new BadInput(source + " " + what + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }

    private static String printable(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }

    private static String oneLine(String s) {
        return printable(s.replace('\n', ' ').replace('\r', ' '));
    }
}
