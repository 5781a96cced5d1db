package io.leakwatch.http;

import io.javalin.config.RoutesConfig;

/**
 * A feature that serves its own pages (for example /leaks) registers them here, so the server
 * wiring does not grow a branch per feature. Its links appear on the landing page.
 */
public interface ExtraEndpoints {
    /** Adds GET routes. */
    void register(RoutesConfig routes);

    /** Path -> one-line description, for the landing page. */
    java.util.Map<String, String> links();
}
