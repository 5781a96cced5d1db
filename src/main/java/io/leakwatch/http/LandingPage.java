package io.leakwatch.http;

import io.leakwatch.common.Version;

import java.util.List;

/** The small HTML page at "/" linking to everything leakwatch serves. */
final class LandingPage {
    private LandingPage() {
    }

    static String html(String telemetryPath, List<ExtraEndpoint> extras) {
        String path = escape(telemetryPath);
        StringBuilder extra = new StringBuilder();
        for (ExtraEndpoint e : extras) {
            extra.append("<li><a href=\"").append(escape(e.path().substring(1))).append("\">")
                    .append(escape(e.path())).append("</a>: ").append(escape(e.description())).append("</li>\n");
        }
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head><meta charset="utf-8"><title>leakwatch</title>
                <style>body{font-family:sans-serif;max-width:40em;margin:2em auto;line-height:1.5}code{background:#eee;padding:0 .2em}</style>
                </head>
                <body>
                <h1>leakwatch</h1>
                <p>Per-process metrics compatible with windows_exporter's process collector. Version %s.</p>
                <ul>
                <li><a href="%s">%s</a>: metrics (text 0.0.4; OpenMetrics when asked; <code>?collect[]=process</code>)</li>
                <li><a href="health">/health</a>: liveness</li>
                <li><a href="version">/version</a>: build information</li>
                %s</ul>
                </body>
                </html>
                """.formatted(escape(Version.VERSION), path.substring(1), path, extra);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
