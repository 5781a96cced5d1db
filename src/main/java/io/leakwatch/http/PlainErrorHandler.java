package io.leakwatch.http;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * Jetty's own error pages (malformed requests, oversized headers) as one plain-text line with
 * the status only: no stack trace, no exception message, no "Powered by Jetty".
 */
final class PlainErrorHandler extends ErrorHandler {
    private final ClientErrorLog clientErrors;

    PlainErrorHandler(ClientErrorLog clientErrors) {
        this.clientErrors = clientErrors;
        setShowStacks(false);
        setShowCauses(false);
        setShowMessageInTitle(false);
        setShowOrigin(false);
        setDefaultResponseMimeType("text/plain");
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

    @Override
    public java.nio.ByteBuffer badMessageError(int status, String reason, org.eclipse.jetty.http.HttpFields.Mutable fields) {
        clientErrors.note("bad requests answered " + status + " " + HttpStatus.getMessage(status), reason);
        return super.badMessageError(status, HttpStatus.getMessage(status), fields);
    }
}
