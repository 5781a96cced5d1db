package io.leakwatch.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Many connections from one thread (non-blocking sockets): each connects from one of the given
 * loopback source addresses, sends {@code firstBytes} and then nothing more, and is held until
 * the server closes it or the hold time ends. Sockets close with SO_LINGER 0, so no TIME_WAIT
 * is left behind on the client side; spreading over source addresses keeps each address far from
 * the ephemeral port range's end.
 */
public final class ConnectionFlood {
    /**
     * @param opened         connections attempted
     * @param connected      of those, connections the kernel completed
     * @param closedByServer connections the server closed (refused, evicted or timed out)
     * @param maxHeld        most connections open at once on the client side
     * @param heldAtEnd      still open when the hold time ended
     * @param seconds        how long the flood ran
     */
    public record Result(int opened, int connected, int closedByServer, int maxHeld, int heldAtEnd, double seconds) {
    }

    private ConnectionFlood() {
    }

    /** The loopback addresses 127.0.1.1 .. 127.0.1.n, one attacker host each. */
    public static List<InetAddress> loopbackSources(int n) throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(InetAddress.getByAddress(new byte[]{127, 0, 1, (byte) i}));
        }
        return out;
    }

    /** The soft limit on open files of this process, from /proc/self/limits (Linux). */
    public static long openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no 'Max open files' in /proc/self/limits");
    }

    /**
     * Opens {@code total} connections, {@code perSecond} a second (0: as fast as the kernel takes them), at most {@code maxHeld}
     * open at once (the oldest is dropped to stay under it), then holds what is still open until
     * {@code holdMillis} after the start. Bounded by {@code limitMillis} whatever happens.
     */
    public static Result run(int port, List<InetAddress> sources, int total, int perSecond, byte[] firstBytes, int maxHeld,
                             long holdMillis, long limitMillis) throws IOException {
        long start = System.nanoTime();
        long holdEnd = start + TimeUnit.MILLISECONDS.toNanos(holdMillis);
        long hardEnd = start + TimeUnit.MILLISECONDS.toNanos(limitMillis);
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
        java.util.LinkedHashSet<SocketChannel> held = new java.util.LinkedHashSet<>(); // oldest first
        int opened = 0;
        int connected = 0;
        int closedByServer = 0;
        int most = 0;
        ByteBuffer sink = ByteBuffer.allocate(4096);
        try (Selector selector = Selector.open()) {
            while (System.nanoTime() < hardEnd && (opened < total || System.nanoTime() < holdEnd)) {
                long due = perSecond <= 0 ? total : (System.nanoTime() - start) * perSecond / 1_000_000_000L + 1;
                for (int burst = 0; burst < 64 && opened < Math.min(total, due); burst++) {
                    if (held.size() >= maxHeld) {
                        close(pollFirst(held));
                    }
                    SocketChannel c = SocketChannel.open();
                    c.configureBlocking(false);
                    c.setOption(StandardSocketOptions.SO_LINGER, 0);
                    c.bind(new InetSocketAddress(sources.get(opened % sources.size()), 0));
                    opened++;
                    try {
                        if (c.connect(target)) {
                            connected++;
                            c.write(ByteBuffer.wrap(firstBytes));
                            c.register(selector, SelectionKey.OP_READ);
                        } else {
                            c.register(selector, SelectionKey.OP_CONNECT);
                        }
                        held.add(c);
                    } catch (IOException e) {
                        close(c);
                    }
                }
                most = Math.max(most, held.size());
                selector.select(5);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel c = (SocketChannel) key.channel();
                    try {
                        if (key.isConnectable()) {
                            c.finishConnect();
                            connected++;
                            c.write(ByteBuffer.wrap(firstBytes));
                            key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable()) {
                            sink.clear();
                            if (c.read(sink) < 0) {
                                closedByServer++;
                                held.remove(c);
                                close(c);
                            }
                        }
                    } catch (IOException e) {
                        closedByServer++; // reset by the server, or refused
                        held.remove(c);
                        close(c);
                    }
                }
                selector.selectedKeys().clear();
            }
            int heldAtEnd = held.size();
            while (!held.isEmpty()) {
                close(pollFirst(held));
            }
            return new Result(opened, connected, closedByServer, most, heldAtEnd, (System.nanoTime() - start) / 1e9);
        }
    }

    private static SocketChannel pollFirst(java.util.LinkedHashSet<SocketChannel> set) {
        java.util.Iterator<SocketChannel> it = set.iterator();
        SocketChannel first = it.next();
        it.remove();
        return first;
    }

    private static void close(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
