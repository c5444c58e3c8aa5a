package io.channelpush.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The floor of a WebSocket handshake on this machine: the socket work of one, with no WebSocket server around it.
 * Client threads keep W connects in flight, each sending a handshake request and reading the 101 answer and a
 * welcome frame; S server threads accept, read the request (fixed length: no parsing), compute the RFC 6455 accept
 * key (which every server must) and write the answer and the welcome (in one write, or two as Undertow does). The
 * connections stay open until the round ends. Prints connects/s, connect-to-welcome latency and the CPU per connect
 * of the server and of the client threads. Not thread-safe; one run at a time.
 */
final class BareConnect {
    static final String USAGE = """
            usage: BenchMain bare-connect [options]     (loopback only; C clients need 2 C descriptors)
              --clients C          connections per round, held until the round ends (default 9000)
              --rounds R           rounds, each reported; the first ones warm the JIT (default 4)
              --window W           connects in flight (default 1000)
              --server-threads S   threads accepting and answering (default 2)
              --client-threads K   threads connecting and reading (default 2)
              --writes N           1: answer and welcome in one write; 2: one write each (default 2)
              --port P             connect to a server of yours on 127.0.0.1:P instead (its answer: a 101, then a
                                   text frame under 126 bytes, as Channel Push's welcome line)
              --pid N              that server's process: its CPU per connect (its child processes' included), from
                                   /proc, and a round starts only once it is idle again (it closes the last round's
                                   connections)
            """;
    private final BareOptions o;

    private BareConnect(BareOptions o) {
        this.o = o;
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        BareOptions o = BareOptions.parse(args, "--clients", "9000", "--rounds", "4", "--window", "1000",
                "--server-threads", "2", "--client-threads", "2", "--writes", "2", "--port", "0", "--pid", "0");
        if (o.help() || o.error() != null) {
            return o.answer("bare-connect", USAGE, out, err);
        }
        if (o.get("--writes") > 2) {
            err.println("bare-connect: --writes must be 1 or 2");
            err.print(USAGE);
            return 2;
        }
        String server = o.get("--port") > 0 ? "the server on 127.0.0.1:" + o.get("--port")
                + (o.get("--pid") > 0 ? " (processes " + processTree(o.get("--pid")) + ")" : "")
                : o.get("--server-threads") + " server thread(s) answering in " + o.get("--writes") + " write(s)";
        out.printf("# bare handshakes: %d clients per round, %d in flight, %d client thread(s), %s; %d cores, "
                        + "Java %s%n", o.get("--clients"), o.get("--window"), o.get("--client-threads"), server,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        BareConnect b = new BareConnect(o);
        for (int r = 1; r <= o.get("--rounds"); r++) {
            String line = b.round();
            out.println("round " + r + ": " + line);
            if (line.contains("FAILED")) {
                return 1;
            }
        }
        return 0;
    }

    private String round() throws IOException, InterruptedException {
        int clients = o.get("--clients");
        ConcurrentLinkedQueue<SocketChannel> open = new ConcurrentLinkedQueue<>();
        BareThreads threads = new BareThreads();
        List<Selector> selectors = new ArrayList<>();
        List<Long> pid = o.get("--pid") > 0 ? processTree(o.get("--pid")) : List.of();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 16384);
            listener.configureBlocking(false);
            InetSocketAddress address = o.get("--port") > 0 ? new InetSocketAddress("127.0.0.1", o.get("--port"))
                    : (InetSocketAddress) listener.getLocalAddress();
            int serverThreads = o.get("--port") > 0 ? 0 : o.get("--server-threads");
            settle(pid);
            for (int s = 0; s < serverThreads; s++) {
                Selector sel = Selector.open();
                selectors.add(sel);
                listener.register(sel, SelectionKey.OP_ACCEPT);
                threads.start("bare-connect-server-" + s, false, () -> serve(sel, open, threads));
            }
            int k = o.get("--client-threads");
            AtomicInteger toStart = new AtomicInteger(clients);
            CountDownLatch done = new CountDownLatch(k);
            List<Connector> connectors = new ArrayList<>();
            long t0 = System.nanoTime();
            BareThreads.Cpu cpu0 = threads.cpu();
            double external0 = PushReport.cpuSeconds(pid);
            for (int c = 0; c < k; c++) {
                Selector sel = Selector.open();
                selectors.add(sel);
                Connector conn = new Connector(sel, address, toStart,
                        Math.max(1, o.get("--window") / k), open, threads, done);
                connectors.add(conn);
                threads.start("bare-connect-client-" + c, true, conn);
            }
            boolean finished = done.await(120, TimeUnit.SECONDS);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            BareThreads.Cpu cpu = threads.cpu().minus(cpu0);
            long external = Math.round((PushReport.cpuSeconds(pid) - external0) * 1e9);
            if (!pid.isEmpty()) {
                cpu = new BareThreads.Cpu(external, cpu.harness());
            }
            threads.stop(selectors);
            LatencyHistogram h = new LatencyHistogram();
            long welcomed = 0;
            for (Connector c : connectors) {
                h.add(c.latency);
                welcomed += c.welcomed;
            }
            String figures = String.format(Locale.ROOT, "%,d welcomed in %.2f s: %,.0f connects/s; connect to "
                            + "welcome p50 %.1f ms p99 %.1f ms", welcomed, elapsed, welcomed / elapsed,
                    h.percentileNanos(50) / 1e6, h.percentileNanos(99) / 1e6);
            if (o.get("--port") > 0 && pid.isEmpty()) {
                figures += String.format(Locale.ROOT, "; clients' CPU %.1f us per connect (the server's: --pid)",
                        cpu.harness() / 1e3 / welcomed);
            } else {
                figures += String.format(Locale.ROOT, "; CPU %.2f cores: server %.1f us + clients %.1f us = %.1f us "
                                + "per connect", cpu.total() / 1e9 / elapsed, cpu.server() / 1e3 / welcomed,
                        cpu.harness() / 1e3 / welcomed, cpu.total() / 1e3 / welcomed);
            }
            return figures + (finished ? "" : "; FAILED: not all welcomed within 120 s") + threads.failure();
        } finally {
            for (Selector s : selectors) {
                s.close();
            }
            for (SocketChannel c : open) {
                c.close();
            }
        }
    }

    /** The process and its descendants (the PHP original's master forks its workers). */
    static List<Long> processTree(long pid) throws IOException {
        List<Long> all = new ArrayList<>(List.of(pid));
        for (int i = 0; i < all.size(); i++) {
            try (var tasks = Files.list(Path.of("/proc/" + all.get(i) + "/task"))) {
                for (Path task : tasks.toList()) {
                    for (String child : Files.readString(task.resolve("children")).trim().split(" +")) {
                        if (!child.isEmpty()) {
                            all.add(Long.valueOf(child));
                        }
                    }
                }
            }
        }
        return all;
    }

    /** Waits (at most 30 s) until the server used under one clock tick (10 ms) of CPU in 200 ms: done closing. */
    private static void settle(List<Long> pid) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double before = PushReport.cpuSeconds(pid);
        while (!pid.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(200);
            double now = PushReport.cpuSeconds(pid);
            if (now - before < 0.005) {
                return;
            }
            before = now;
        }
    }

    /** A server thread: accepts, and answers each whole request with the 101 and the welcome. */
    private void serve(Selector selector, ConcurrentLinkedQueue<SocketChannel> open, BareThreads threads) {
        ByteBuffer answer = ByteBuffer.allocateDirect(BareHandshake.ANSWER);
        ByteBuffer welcome = ByteBuffer.allocateDirect(2 + BareHandshake.WELCOME.length)
                .put((byte) 0x81).put((byte) BareHandshake.WELCOME.length).put(BareHandshake.WELCOME).flip();
        boolean oneWrite = o.get("--writes") == 1;
        try {
            while (threads.running()) {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    if (k.isAcceptable()) {
                        SocketChannel c = ((ServerSocketChannel) k.channel()).accept();
                        if (c != null) {
                            open.add(c);
                            c.configureBlocking(false);
                            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            c.register(selector, SelectionKey.OP_READ,
                                    ByteBuffer.allocate(BareHandshake.REQUEST.length));
                        }
                        continue;
                    }
                    SocketChannel c = (SocketChannel) k.channel();
                    ByteBuffer in = (ByteBuffer) k.attachment();
                    if (c.read(in) < 0) {
                        k.cancel();
                        continue;
                    }
                    if (in.hasRemaining()) {
                        continue;
                    }
                    String key = new String(in.array(), BareHandshake.KEY_AT, BareHandshake.KEY.length(),
                            StandardCharsets.US_ASCII);
                    answer.clear().put(BareHandshake.answer(key));
                    if (oneWrite) {
                        answer.put(welcome.rewind());
                        BareThreads.writeAll(c, answer.flip());
                    } else {
                        BareThreads.writeAll(c, answer.flip());
                        BareThreads.writeAll(c, welcome.rewind());
                    }
                    k.interestOps(0);
                    k.attach(null);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            threads.fail("server", e);
        }
    }

    /** A client thread: keeps its share of the window connecting until the round's clients are all started. */
    private static final class Connector implements Runnable {
        private final Selector selector;
        private final InetSocketAddress server;
        private final AtomicInteger toStart;
        private final int window;
        private final ConcurrentLinkedQueue<SocketChannel> open;
        private final BareThreads threads;
        private final CountDownLatch done;
        final LatencyHistogram latency = new LatencyHistogram();
        long welcomed;
        private int inFlight;

        Connector(Selector selector, InetSocketAddress server, AtomicInteger toStart, int window,
                  ConcurrentLinkedQueue<SocketChannel> open, BareThreads threads, CountDownLatch done) {
            this.selector = selector;
            this.server = server;
            this.toStart = toStart;
            this.window = window;
            this.open = open;
            this.threads = threads;
            this.done = done;
        }

        @Override
        public void run() {
            ByteBuffer in = ByteBuffer.allocateDirect(4096);
            try {
                startMore();
                while (threads.running() && inFlight > 0) {
                    selector.select(100);
                    for (SelectionKey k : selector.selectedKeys()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        long[] state = (long[]) k.attachment(); // [0] connect started, then welcomed()'s
                        if (k.isConnectable()) {
                            c.finishConnect();
                            BareThreads.writeAll(c, ByteBuffer.wrap(BareHandshake.REQUEST));
                            k.interestOps(SelectionKey.OP_READ);
                            continue;
                        }
                        if (c.read(in.clear()) < 0) {
                            throw new IOException("the server closed a connection before its welcome");
                        }
                        if (BareHandshake.welcomed(state, in.flip())) {
                            latency.record(System.nanoTime() - state[0]);
                            welcomed++;
                            inFlight--;
                            k.interestOps(0);
                        }
                    }
                    selector.selectedKeys().clear();
                    startMore();
                }
            } catch (IOException | RuntimeException e) {
                threads.fail("client", e);
            } finally {
                done.countDown();
            }
        }

        private void startMore() throws IOException {
            while (inFlight < window && toStart.getAndDecrement() > 0) {
                SocketChannel c = SocketChannel.open();
                open.add(c);
                c.configureBlocking(false);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                long[] state = {System.nanoTime(), 0, 0, 0};
                if (c.connect(server)) {
                    BareThreads.writeAll(c, ByteBuffer.wrap(BareHandshake.REQUEST));
                    c.register(selector, SelectionKey.OP_READ, state);
                } else {
                    c.register(selector, SelectionKey.OP_CONNECT, state);
                }
                inFlight++;
            }
        }
    }
}
