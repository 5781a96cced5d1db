package io.leakwatch.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;

/**
 * Jetty's own error answers (malformed requests, oversized headers, failures before a handler)
 * as one plain-text line with the status only: no stack trace, no exception message, no
 * "Powered by Jetty"; with the same security headers as every other answer.
 */
final class PlainErrorHandler extends ErrorHandler {
    private final LiveWebConfig web;

    PlainErrorHandler(LiveWebConfig web) {
        this.web = web;
        setShowStacks(false);
        setShowCauses(false);
        setShowMessageInTitle(false);
        setShowOrigin(false);
        setDefaultResponseMimeType("text/plain");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        RequestGuard.securityHeaders(response.getHeaders(), web.current()); // bodiless answers (CONNECT, 304...) too
        return super.handle(request, response, callback);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws IOException {
        super.generateResponse(request, response, code, HttpStatus.getMessage(code), null, callback);
    }

    @Override
    protected void writeErrorPlain(Request request, PrintWriter writer, int code, String message, Throwable cause) {
        writer.write(code + " " + HttpStatus.getMessage(code) + "\n");
    }

    @Override
    protected void writeErrorHtml(Request request, java.io.Writer writer, java.nio.charset.Charset charset, int code,
                                  String message, Throwable cause) throws IOException {
        writer.write(code + " " + HttpStatus.getMessage(code) + "\n");
    }

    @Override
    protected void writeErrorJson(Request request, PrintWriter writer, int code, String message, Throwable cause) {
        writer.write("{\"status\":" + code + "}");
    }

    /** A request Jetty's parser refused, before any handler: counted, with what was wrong, in the client log. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        org.slf4j.LoggerFactory.getLogger(ClientLogLimit.CLIENTS_LOGGER).warn("bad request answered {}: {}", status, reason);
        RequestGuard.securityHeaders(fields, web.current());
        return super.badMessageError(status, HttpStatus.getMessage(status), fields);
    }
}
