package io.channelpush.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Transport} over the JDK's non-blocking sockets: a few selector threads ({@link Loop}), each owning its
 * connections ({@link NioConnection}) and one read buffer shared by them. Whatever another thread asks of a
 * connection (connect, send, close) is handed to its loop as a task, so connection state is touched by one thread
 * only. About a microsecond of CPU per received message, where Jetty's client needs several. Thread-safe.
 */
final class NioTransport implements Transport {
    private final List<InetSocketAddress> sources = new ArrayList<>();
    private final List<Loop> loops = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();

    NioTransport(List<String> sourceAddresses, int threads) throws IOException {
        for (String s : sourceAddresses) {
            sources.add(new InetSocketAddress(s, 0));
        }
        for (int i = 0; i < threads; i++) {
            Loop l = new Loop(i);
            loops.add(l);
            l.thread.start();
        }
    }

    @Override
    public void connect(BenchClient client, URI target, int index) throws IOException {
        int port = target.getPort() > 0 ? target.getPort() : 80;
        InetSocketAddress remote = new InetSocketAddress(target.getHost(), port);
        SocketChannel ch = SocketChannel.open();
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.bind(sources.get(index % sources.size()));
            ch.connect(remote);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        open.incrementAndGet();
        Loop loop = loops.get(index % loops.size());
        NioConnection c = new NioConnection(ch, client, target, loop, open::decrementAndGet);
        loop.execute(() -> c.register(loop.selector));
    }

    /** Waits up to 5 s for the connections to finish their close handshakes, then closes the rest. */
    @Override
    public void close() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (open.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        for (Loop l : loops) {
            l.running = false;
            l.selector.wakeup();
        }
        for (Loop l : loops) {
            l.thread.join(5000);
        }
    }

    /** One selector thread and the connections registered with it. */
    static final class Loop implements Runnable {
        final Selector selector;
        final Thread thread;
        /** Shared by this loop's connections: a read lands here unless a connection holds a partial frame. */
        final ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024);
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        volatile boolean running = true;

        Loop(int n) throws IOException {
            selector = Selector.open();
            thread = new Thread(this, "bench-nio-" + n);
            thread.setDaemon(true);
        }

        /** Runs {@code task} on this loop's thread. */
        void execute(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(100);
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                    }
                    for (SelectionKey k : selector.selectedKeys()) {
                        ((NioConnection) k.attachment()).ready(k, in);
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException e) {
                throw new IllegalStateException("harness selector failed", e);
            } finally {
                for (SelectionKey k : selector.keys()) {
                    ((NioConnection) k.attachment()).abort();
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // stopping anyway
                }
            }
        }
    }
}
