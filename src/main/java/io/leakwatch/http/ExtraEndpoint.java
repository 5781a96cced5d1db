package io.leakwatch.http;

import java.io.IOException;
import java.io.Writer;

/**
 * A page a feature serves besides the metrics (for example /leaks), described without any web
 * framework: the HTTP layer adapts it, so features stay independent of the server.
 *
 * @param path        absolute path, e.g. "/leaks"
 * @param contentType the Content-Type of the body
 * @param description one line for the landing page's list of links
 * @param body        writes the body for one request
 */
public record ExtraEndpoint(String path, String contentType, String description, Body body) {

    /** Writes one response body; called on the request's thread. */
    @FunctionalInterface
    public interface Body {
        void writeTo(Writer out) throws IOException;
    }
}
