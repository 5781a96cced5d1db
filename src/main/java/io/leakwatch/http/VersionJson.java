package io.leakwatch.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.leakwatch.common.Version;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The body of /version: windows_exporter's fields (those of Prometheus' /version: version, revision,
 * branch, buildUser, buildDate, goVersion, where goVersion names the Java runtime), then leakwatch's
 * own ({@code java}). Made once: nothing in it changes while the exporter runs.
 */
final class VersionJson {
    private VersionJson() {
    }

    static String body() {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("version", Version.VERSION);
            json.writeStringField("revision", Version.REVISION);
            json.writeStringField("branch", Version.BRANCH);
            json.writeStringField("buildUser", Version.BUILD_USER);
            json.writeStringField("buildDate", Version.BUILD_DATE);
            json.writeStringField("goVersion", Version.runtime());
            json.writeStringField("java", System.getProperty("java.version", ""));
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out + "\n"; // Go's JSON encoder ends the document with a newline
    }
}
