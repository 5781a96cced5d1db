package io.leakwatch.http;

import io.leakwatch.config.CommandLine;
import io.leakwatch.config.UsageException;

/**
 * host:port to bind. A null host means every interface (":9182", as windows_exporter).
 */
public record ListenAddress(String host, int port) {

    static ListenAddress parse(String text) throws UsageException {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new UsageException(HttpSettings.LISTEN_ADDRESS + ": '" + CommandLine.printable(text) + "' is not host:port (e.g. :9182 or 127.0.0.1:9182)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new UsageException(HttpSettings.LISTEN_ADDRESS + ": '" + CommandLine.printable(text) + "' has no valid port (0-65535)");
        }
        return new ListenAddress(host.isEmpty() ? null : host, port);
    }

    @Override
    public String toString() {
        String h = host == null ? "" : host.contains(":") ? "[" + host + "]" : host;
        return h + ":" + port;
    }
}
