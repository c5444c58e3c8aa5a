package io.channelpush.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads of a bare benchmark, each either the server's or the harness's, so that their CPU can be told apart;
 * the first failure of any of them stops them all and is reported; and the loopback sockets they share (a connected
 * pair, the writes). Thread-safe.
 */
final class BareThreads {
    /** CPU nanoseconds of the server's threads and of the harness's. */
    record Cpu(long server, long harness) {
        long total() {
            return server + harness;
        }

        Cpu minus(Cpu before) {
            return new Cpu(server - before.server, harness - before.harness);
        }
    }

    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private final List<Thread> server = new ArrayList<>();
    private final List<Thread> harness = new ArrayList<>();
    // a thread's CPU time as it ended: the JVM reports none for a thread that has ended
    private final Map<Thread, Long> ended = new ConcurrentHashMap<>();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile boolean running = true;

    synchronized void start(String name, boolean ofHarness, Runnable task) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } finally {
                ended.put(Thread.currentThread(), mx.getCurrentThreadCpuTime());
            }
        }, name);
        (ofHarness ? harness : server).add(t);
        t.start();
    }

    boolean running() {
        return running;
    }

    void fail(String who, Exception e) {
        if (running) {
            failure.compareAndSet(null, who + ": " + e);
            running = false;
        }
    }

    /** Empty, or what failed first. */
    String failure() {
        String f = failure.get();
        return f == null ? "" : "; FAILED (figures void): " + f;
    }

    synchronized Cpu cpu() {
        return new Cpu(sum(server), sum(harness));
    }

    private long sum(List<Thread> threads) {
        long total = 0;
        for (Thread t : threads) {
            Long last = ended.get(t);
            total += last != null ? last : Math.max(0, mx.getThreadCpuTime(t.getId()));
        }
        return total;
    }

    /** Stops every thread: wakes the selectors they wait on and joins each for at most 5 s. */
    void stop(List<Selector> selectors) throws InterruptedException {
        running = false;
        selectors.forEach(Selector::wakeup);
        List<Thread> all;
        synchronized (this) {
            all = new ArrayList<>(server);
            all.addAll(harness);
        }
        for (Thread t : all) {
            t.join(5000);
        }
    }

    /** A connected loopback pair: [the client's end, the server's end], both with TCP_NODELAY. */
    static SocketChannel[] pair(ServerSocketChannel listener, List<SocketChannel> all) throws IOException {
        SocketChannel c = SocketChannel.open(listener.getLocalAddress());
        all.add(c);
        SocketChannel s = listener.accept();
        all.add(s);
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new SocketChannel[] {c, s};
    }

    /** A write to a non-blocking socket that must take all of {@code b} at once (small, with the peer reading). */
    static void writeAll(SocketChannel c, ByteBuffer b) throws IOException {
        c.write(b);
        if (b.hasRemaining()) {
            throw new IOException("a write took " + b.position() + " of " + b.limit() + " bytes: the peer is behind");
        }
    }

    /** A write to a blocking socket: waits while the reader is behind. */
    static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    /**
     * Reads every socket of a selector whose keys carry a {@code long[2]}, counts frames of a fixed length and
     * times each from the stamp it carries ({@code state[0]}: bytes of the current frame seen, {@code state[1]}:
     * its stamp so far).
     */
    abstract static class StampedReader implements Runnable {
        private final Selector selector;
        private final BareThreads threads;
        private final int frameLength;
        final LongAdder frames = new LongAdder();
        private volatile LatencyHistogram histogram = new LatencyHistogram();
        private volatile boolean resetRequested;

        StampedReader(Selector selector, BareThreads threads, int frameLength) {
            this.selector = selector;
            this.threads = threads;
            this.frameLength = frameLength;
        }

        /** Takes byte {@code at} of a frame into its stamp. */
        abstract void stamp(long[] state, byte b, int at);

        /** Starts counting and timing afresh; waits (at most 5 s) until the reader has. */
        void reset() {
            resetRequested = true;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (resetRequested && threads.running() && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        LatencyHistogram latency() {
            return histogram;
        }

        @Override
        public void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
            try {
                while (threads.running()) {
                    selector.select(100);
                    if (resetRequested) {
                        frames.reset();
                        histogram = new LatencyHistogram();
                        resetRequested = false;
                    }
                    long now = System.nanoTime();
                    for (SelectionKey k : selector.selectedKeys()) {
                        long[] state = (long[]) k.attachment();
                        SocketChannel c = (SocketChannel) k.channel();
                        while (c.read(buf.clear()) > 0) {
                            buf.flip();
                            while (buf.hasRemaining()) {
                                int at = (int) state[0];
                                stamp(state, buf.get(), at);
                                if (++at == frameLength) {
                                    frames.increment();
                                    if (state[1] != 0) { // 0: a frame without a stamp
                                        histogram.record(now - state[1]);
                                    }
                                    at = 0;
                                    state[1] = 0;
                                }
                                state[0] = at;
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException | RuntimeException e) {
                threads.fail("reader", e);
            }
        }
    }
}
