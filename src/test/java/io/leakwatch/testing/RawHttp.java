package io.leakwatch.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Hand-written HTTP/1.1 exchanges over a socket, for what a polite client never sends. */
public final class RawHttp {
    private RawHttp() {
    }

    /** Sends the raw request (Connection: close expected in it) and returns the whole raw response. */
    public static String exchange(int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(readResponse(s.getInputStream()), StandardCharsets.ISO_8859_1);
        }
    }

    /** One response: up to Content-Length after the headers when given, else to the end of the stream. */
    public static byte[] readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int headerEnd = -1;
        long contentLength = -1;
        try {
            for (int b; (b = in.read()) >= 0; ) {
                out.write(b);
                if (headerEnd < 0) {
                    String sofar = out.toString(StandardCharsets.ISO_8859_1);
                    if (sofar.endsWith("\r\n\r\n")) {
                        headerEnd = out.size();
                        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^Content-Length:\\s*(\\d+)").matcher(sofar);
                        if (m.find()) {
                            contentLength = Long.parseLong(m.group(1));
                        }
                        if (sofar.startsWith("HTTP/1.1 1") || contentLength == 0 || sofar.startsWith("HEAD")) {
                            return out.toByteArray();
                        }
                    }
                } else if (contentLength >= 0 && out.size() - headerEnd >= contentLength) {
                    return out.toByteArray();
                }
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no end of response within the socket timeout; got: " + out.toString(StandardCharsets.ISO_8859_1), e);
        } catch (java.net.SocketException e) {
            // reset by the server after its answer: what was read is the answer
        }
        return out.toByteArray();
    }

    public static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no end of response within the socket timeout; got: " + out.toString(StandardCharsets.ISO_8859_1), e);
        } catch (java.net.SocketException e) {
            // reset by the server after its answer: what was read is the answer
        }
        return out.toByteArray();
    }

    public static int status(String rawResponse) {
        if (!rawResponse.startsWith("HTTP/1.1 ")) {
            throw new AssertionError("not an HTTP/1.1 response: " + rawResponse);
        }
        return Integer.parseInt(rawResponse.substring(9, 12));
    }
}
