package io.channelpush.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Transport} over the JDK's non-blocking sockets: a few selector threads ({@link NioLoop}), each owning its
 * connections ({@link NioConnection}). Whatever another thread asks of a connection (connect, send, close) is handed
 * to its loop as a task, so connection state is touched by one thread only. About a microsecond of CPU per received message, where Jetty's client needs several. Thread-safe.
 */
final class NioTransport implements Transport {
    private final List<InetSocketAddress> sources = new ArrayList<>();
    private final List<NioLoop> loops = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();

    NioTransport(List<String> sourceAddresses, int threads) throws IOException {
        for (String s : sourceAddresses) {
            sources.add(new InetSocketAddress(s, 0));
        }
        for (int i = 0; i < threads; i++) {
            loops.add(new NioLoop("bench-nio-" + i));
        }
    }

    /**
     * Opens the socket and starts its connect on the client's loop thread, so that with several threads the
     * connects of a burst (a reconnect storm) are issued in parallel: on loopback each connect() also runs the
     * server's half of the TCP handshake in the calling thread.
     */
    @Override
    public void connect(BenchClient client, URI target, int index) {
        int port = target.getPort() > 0 ? target.getPort() : 80;
        InetSocketAddress remote = new InetSocketAddress(target.getHost(), port);
        InetSocketAddress source = sources.get(index % sources.size());
        NioLoop loop = loops.get(index % loops.size());
        open.incrementAndGet();
        loop.execute(() -> {
            SocketChannel ch;
            try {
                ch = SocketChannel.open();
            } catch (IOException e) {
                open.decrementAndGet();
                client.onError(e);
                return;
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.bind(source);
                ch.connect(remote);
            } catch (IOException e) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // failing anyway
                }
                open.decrementAndGet();
                client.onError(e);
                return;
            }
            new NioConnection(ch, client, target, loop, open::decrementAndGet).register(loop.selector);
        });
    }

    /** Waits up to 5 s for the connections to finish their close handshakes, then closes the rest. */
    @Override
    public void close() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (open.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        for (NioLoop l : loops) {
            l.close();
        }
    }
}
