package io.channelpush.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The floor of a targeted push on this machine: the socket work one push needs with no push server around it. A
 * publisher thread keeps W HTTP requests in flight on W loopback connections; S server threads read each request
 * (fixed length: no parsing), write a WebSocket frame to the target socket it names and the HTTP answer; a reader
 * thread reads every target socket. Three loopback sends and three reads per push, no bus hop, no HTTP or
 * WebSocket library: what any push server and harness sharing these cores would spend at least. Prints pushes/s, the
 * request-to-frame latency and the CPU per push of the server and of the harness threads. Not thread-safe; one
 * run at a time.
 */
final class BarePush {
    static final String USAGE = """
            usage: BenchMain bare-push [options]     (loopback only; T targets need 2 T descriptors)
              --targets T          target socket pairs (default 9000)
              --window W           requests in flight, one HTTP connection each (default 128)
              --server-threads S   threads reading requests and writing frames and answers (default 2)
              --seconds N          measured seconds, after 2 s of warm-up (default 5)
            """;
    private static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain;charset=utf-8\r\n"
            + "Content-Length: 2\r\n\r\nok").getBytes(StandardCharsets.US_ASCII);
    private static final String PREFIX = "GET /?to_worker_id=w1&to_connection_id=";
    private static final int TARGET_AT = PREFIX.length();
    private static final int STAMP_AT = TARGET_AT + 10 + "&content=".length();
    private static final int REQUEST = template(0, 0).length;
    private static final int FRAME = 2 + 16;

    private final int targets;
    private final int window;
    private final int serverThreads;
    private final int seconds;

    private BarePush(int targets, int window, int serverThreads, int seconds) {
        this.targets = targets;
        this.window = window;
        this.serverThreads = serverThreads;
        this.seconds = seconds;
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        BareOptions o = BareOptions.parse(args, "--targets", "9000", "--window", "128", "--server-threads", "2",
                "--seconds", "5");
        if (o.help() || o.error() != null) {
            return o.answer("bare-push", USAGE, out, err);
        }
        BarePush b = new BarePush(o.get("--targets"), o.get("--window"), o.get("--server-threads"), o.get("--seconds"));
        out.printf("# bare targeted push: %d targets, %d in flight, %d server thread(s), %d-byte requests, %d s; "
                        + "%d cores, Java %s%n", b.targets, b.window, b.serverThreads, REQUEST, b.seconds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        String line = b.measure();
        out.println(line);
        return line.contains("FAILED") ? 1 : 0;
    }

    /** The request for a push to {@code target}, stamped with the time it is sent: fixed length. */
    static byte[] template(int target, long stamp) {
        return String.format(Locale.ROOT, "%s%010d&content=%016x HTTP/1.1\r\nHost: 127.0.0.1:4237\r\n"
                + "User-Agent: bare-push\r\n\r\n", PREFIX, target, stamp).getBytes(StandardCharsets.US_ASCII);
    }

    private String measure() throws IOException, InterruptedException {
        List<SocketChannel> all = new ArrayList<>();
        List<Selector> servers = new ArrayList<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open();
             Selector frames = Selector.open();
             Selector answers = Selector.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
            SocketChannel[] targetEnds = new SocketChannel[targets];
            for (int i = 0; i < targets; i++) {
                SocketChannel[] pair = BareThreads.pair(listener, all);
                targetEnds[i] = pair[1]; // blocking: a server thread's write waits if the reader is behind
                pair[0].configureBlocking(false);
                pair[0].register(frames, SelectionKey.OP_READ, new long[2]);
            }
            List<SocketChannel> requestEnds = new ArrayList<>();
            for (int s = 0; s < serverThreads; s++) {
                servers.add(Selector.open());
            }
            for (int i = 0; i < window; i++) {
                SocketChannel[] pair = BareThreads.pair(listener, all);
                pair[0].configureBlocking(false);
                pair[0].register(answers, SelectionKey.OP_READ, new int[1]);
                requestEnds.add(pair[0]);
                pair[1].configureBlocking(false);
                pair[1].register(servers.get(i % serverThreads), SelectionKey.OP_READ, ByteBuffer.allocate(REQUEST));
            }
            BareThreads threads = new BareThreads();
            FrameReader reader = new FrameReader(frames, threads);
            threads.start("bare-push-reader", true, reader);
            for (int s = 0; s < serverThreads; s++) {
                Selector sel = servers.get(s);
                threads.start("bare-push-server-" + s, false, () -> serve(sel, targetEnds, threads));
            }
            Answers publisher = new Answers(answers, requestEnds, targets, threads);
            threads.start("bare-push-publisher", true, publisher);
            Thread.sleep(2000);
            reader.reset();
            long answered0 = publisher.answered.sum();
            BareThreads.Cpu cpu0 = threads.cpu();
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            long answered = publisher.answered.sum() - answered0;
            long delivered = reader.frames.sum();
            BareThreads.Cpu cpu = threads.cpu().minus(cpu0);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            List<Selector> selectors = new ArrayList<>(servers);
            selectors.add(frames);
            selectors.add(answers);
            threads.stop(selectors);
            LatencyHistogram h = reader.latency();
            return String.format(Locale.ROOT, "%,.0f pushes/s answered, %,.0f frames/s delivered; request to frame "
                            + "p50 %.2f ms p99 %.2f ms; CPU %.2f cores: server %.1f us + harness %.1f us = %.1f us "
                            + "per push%s", answered / elapsed, delivered / elapsed, h.percentileNanos(50) / 1e6,
                    h.percentileNanos(99) / 1e6, cpu.total() / 1e9 / elapsed, cpu.server() / 1e3 / answered,
                    cpu.harness() / 1e3 / answered, cpu.total() / 1e3 / answered, threads.failure());
        } finally {
            for (Selector sel : servers) {
                sel.close();
            }
            for (SocketChannel c : all) {
                c.close();
            }
        }
    }

    /** A server thread: each whole request becomes a frame to its target and an answer on its connection. */
    private static void serve(Selector selector, SocketChannel[] targetEnds, BareThreads threads) {
        ByteBuffer frame = ByteBuffer.allocateDirect(FRAME);
        ByteBuffer answer = ByteBuffer.allocateDirect(ANSWER.length).put(ANSWER).flip();
        try {
            while (threads.running()) {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    SocketChannel c = (SocketChannel) k.channel();
                    ByteBuffer in = (ByteBuffer) k.attachment();
                    if (c.read(in) < 0) {
                        throw new IOException("publisher closed its connection");
                    }
                    if (in.hasRemaining()) {
                        continue;
                    }
                    int target = 0;
                    for (int i = TARGET_AT; i < TARGET_AT + 10; i++) {
                        target = target * 10 + in.get(i) - '0';
                    }
                    frame.clear().put((byte) 0x81).put((byte) (FRAME - 2));
                    for (int i = STAMP_AT; i < STAMP_AT + 16; i++) {
                        frame.put(in.get(i));
                    }
                    BareThreads.writeFully(targetEnds[target], frame.flip());
                    BareThreads.writeAll(c, answer.rewind());
                    in.clear();
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            threads.fail("server", e);
        }
    }

    /** The publisher: sends a request on every connection, and the next one on each as soon as its answer is read. */
    private static final class Answers implements Runnable {
        private final Selector selector;
        private final List<SocketChannel> ends;
        private final int targets;
        private final BareThreads threads;
        final LongAdder answered = new LongAdder();

        Answers(Selector selector, List<SocketChannel> ends, int targets, BareThreads threads) {
            this.selector = selector;
            this.ends = ends;
            this.targets = targets;
            this.threads = threads;
        }

        @Override
        public void run() {
            ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
            try {
                for (SocketChannel c : ends) {
                    send(c);
                }
                while (threads.running()) {
                    selector.select(100);
                    for (SelectionKey k : selector.selectedKeys()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        int[] seen = (int[]) k.attachment();
                        int n = c.read(in.clear());
                        if (n < 0) {
                            throw new IOException("server closed a connection");
                        }
                        seen[0] += n;
                        if (seen[0] == ANSWER.length) {
                            seen[0] = 0;
                            answered.increment();
                            send(c);
                        } else if (seen[0] > ANSWER.length) {
                            throw new IOException("more bytes than one answer: " + seen[0]);
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException | RuntimeException e) {
                threads.fail("publisher", e);
            }
        }

        private void send(SocketChannel c) throws IOException {
            int target = ThreadLocalRandom.current().nextInt(targets);
            BareThreads.writeAll(c, ByteBuffer.wrap(template(target, System.nanoTime())));
        }
    }

    /** Reads every target socket and times each frame from the stamp its request carried. */
    private static final class FrameReader extends BareThreads.StampedReader {
        FrameReader(Selector selector, BareThreads threads) {
            super(selector, threads, FRAME);
        }

        @Override
        void stamp(long[] state, byte b, int at) {
            if (at >= 2) {
                state[1] = (state[1] << 4) | Character.digit(b, 16);
            }
        }
    }
}
