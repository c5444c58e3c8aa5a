package io.channelpush.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * What this machine does without any push server: S loopback socket pairs in one process, writer threads writing a
 * pre-encoded WebSocket text frame to every socket in turn, one selector thread reading them. Two measurements:
 * saturated (as fast as the writers go, K frames per write call: what a write system call per delivery costs) and
 * paced (R rounds per second, one frame to every socket per round, with the time from the start of a round to each
 * frame's arrival: the latency a broadcast to S clients cannot beat here). Not thread-safe; one run at a time.
 */
final class BareFanout {
    static final String USAGE = """
            usage: BenchMain bare [options]     (loopback only; S socket pairs need 2 S descriptors)
              --sockets S             socket pairs (default 9000)
              --frames-per-write K[,K] saturated runs, K frames per write call, one run each (default 1,10)
              --rates R[,R]           paced runs: R rounds per second of one frame to every socket (default none)
              --writers W             writer threads, each with its share of the sockets (default 1)
              --seconds T             measured seconds per run, after 1 s of warm-up (default 5)
            """;
    private static final int FRAME = 38;

    private final int sockets;
    private final int writers;
    private final int seconds;

    private BareFanout(int sockets, int writers, int seconds) {
        this.sockets = sockets;
        this.writers = writers;
        this.seconds = seconds;
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        int sockets = 9000;
        int writers = 1;
        int seconds = 5;
        List<Integer> perWrite = List.of(1, 10);
        List<Integer> rates = List.of();
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (args[i].equals("--help")) {
                    out.print(USAGE);
                    return 0;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String v = args[i + 1];
                switch (args[i]) {
                    case "--sockets" -> sockets = Integer.parseInt(v);
                    case "--frames-per-write" -> perWrite = ints(v);
                    case "--rates" -> rates = ints(v);
                    case "--writers" -> writers = Integer.parseInt(v);
                    case "--seconds" -> seconds = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (sockets <= 0 || writers <= 0 || seconds <= 0
                    || perWrite.stream().anyMatch(k -> k < 0) || rates.stream().anyMatch(r -> r <= 0)) {
                throw new IllegalArgumentException("sockets, writers, seconds, K and R must be positive");
            }
        } catch (IllegalArgumentException e) {
            err.println("bare: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        out.printf("# bare loopback fan-out: %d socket pairs, %d-byte frames, %d writer thread(s), %d s per run; "
                        + "%d cores, Java %s%n", sockets, FRAME, writers, seconds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        BareFanout b = new BareFanout(sockets, writers, seconds);
        for (int k : perWrite) {
            if (k > 0) {
                out.println(b.measure(k, 0));
            }
        }
        for (int r : rates) {
            out.println(b.measure(1, r));
        }
        return 0;
    }

    private static List<Integer> ints(String v) {
        return List.of(v.split(",")).stream().map(Integer::valueOf).toList();
    }

    /** @param rate rounds per second, or 0 for saturated */
    private String measure(int framesPerWrite, int rate) throws IOException, InterruptedException {
        List<SocketChannel> writeEnds = new ArrayList<>();
        List<SocketChannel> all = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open();
             Selector selector = Selector.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
            for (int i = 0; i < sockets; i++) {
                SocketChannel[] pair = BareThreads.pair(server, all);
                writeEnds.add(pair[1]);
                pair[0].configureBlocking(false);
                pair[0].register(selector, SelectionKey.OP_READ, new long[2]);
            }
            BareThreads readerThread = new BareThreads();
            Reader reader = new Reader(selector, readerThread);
            readerThread.start("bare-reader", true, reader);
            AtomicBoolean running = new AtomicBoolean(true);
            LongAdder writes = new LongAdder();
            List<Thread> writerThreads = new ArrayList<>();
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            for (int w = 0; w < writers; w++) {
                List<SocketChannel> mine = new ArrayList<>();
                for (int i = w; i < writeEnds.size(); i += writers) {
                    mine.add(writeEnds.get(i));
                }
                Runnable task = rate == 0 ? () -> saturate(mine, framesPerWrite, writes, running)
                        : () -> paced(mine, rate, start, writes, running);
                Thread t = new Thread(task, "bare-writer-" + w);
                writerThreads.add(t);
                t.start();
            }
            Thread.sleep(1000);
            reader.reset();
            long w0 = writes.sum();
            double cpu0 = cpuSeconds();
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            long frames = reader.frames.sum();
            long w1 = writes.sum();
            double cpu = cpuSeconds() - cpu0;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            running.set(false);
            for (Thread t : writerThreads) {
                t.join(5000);
            }
            readerThread.stop(List.of(selector));
            double deliveries = frames / elapsed;
            String mode = rate == 0 ? String.format(Locale.ROOT, "saturated, %2d frames per write", framesPerWrite)
                    : String.format(Locale.ROOT, "paced, %3d rounds/s           ", rate);
            String figures = String.format(Locale.ROOT, "%s: %,11.0f deliveries/s %,10.0f writes/s  CPU %.2f cores "
                            + "= %.2f us per delivery", mode, deliveries, (w1 - w0) / elapsed, cpu / elapsed,
                    cpu / elapsed / deliveries * 1e6);
            if (rate > 0) {
                LatencyHistogram h = reader.latency();
                figures += String.format(Locale.ROOT, "; round start to arrival p50 %.1f ms p99 %.1f ms max %.1f ms",
                        h.percentileNanos(50) / 1e6, h.percentileNanos(99) / 1e6, h.maxNanos() / 1e6);
            }
            return figures + readerThread.failure();
        } finally {
            for (SocketChannel c : all) {
                c.close();
            }
        }
    }

    private static ByteBuffer frames(int count) {
        ByteBuffer frames = ByteBuffer.allocateDirect(FRAME * count);
        for (int k = 0; k < count; k++) {
            frames.put((byte) 0x81).put((byte) (FRAME - 2)).putLong(0); // 0: no timestamp
            for (int i = 10; i < FRAME; i++) {
                frames.put((byte) 'x');
            }
        }
        return frames.flip();
    }

    private static void saturate(List<SocketChannel> ends, int framesPerWrite, LongAdder writes, AtomicBoolean running) {
        ByteBuffer frames = frames(framesPerWrite);
        try {
            while (running.get()) {
                for (SocketChannel s : ends) {
                    writeFully(s, frames.duplicate());
                    writes.increment();
                }
            }
        } catch (IOException e) {
            if (running.get()) {
                throw new IllegalStateException("bare writer failed", e);
            }
        }
    }

    /** One frame per socket per round; the frame carries the round's start time in bytes 2 to 9. */
    private static void paced(List<SocketChannel> ends, int rate, long start, LongAdder writes, AtomicBoolean running) {
        ByteBuffer frame = frames(1);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = start;
        try {
            while (running.get()) {
                LockSupport.parkNanos(next - System.nanoTime());
                frame.putLong(2, next);
                for (SocketChannel s : ends) {
                    writeFully(s, frame.duplicate());
                    writes.increment();
                }
                next += interval;
            }
        } catch (IOException e) {
            if (running.get()) {
                throw new IllegalStateException("bare writer failed", e);
            }
        }
    }

    private static void writeFully(SocketChannel s, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            s.write(b); // blocking: waits when the reader is behind, as a push server's queue would
        }
    }

    /** Reads every socket, counts whole frames and, from each frame's timestamp (bytes 2 to 9), its latency. */
    private static final class Reader extends BareThreads.StampedReader {
        Reader(Selector selector, BareThreads threads) {
            super(selector, threads, FRAME);
        }

        @Override
        void stamp(long[] state, byte b, int at) {
            if (at >= 2 && at < 10) {
                state[1] = (state[1] << 8) | (b & 0xff);
            }
        }
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }
}
