package io.channelpush.bench;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hostile clients against one node: the launcher jar as a child process with its default settings and
 * {@code -Xmx512m}, its in-process daemon. At once: oversized and fragmented messages on raw sockets
 * ({@link RawAttacks}), handshakes with 64 KB of headers, slow-loris sockets ({@link SlowLoris}), and honest
 * clients (the harness's nio WebSocket client) receiving paced broadcasts. Prints the node's peak resident memory,
 * the honest clients' delivery rate, p99 latency and losses, and what the node did to each hostile connection.
 * Bounded in count and time; loopback only; reports "node died" and ends when the node does.
 */
final class HostileBench {
    static final String USAGE = """
            usage: BenchMain hostile [options]      (build first: mvn -B -q package -DskipTests)
              --jar PATH          launcher jar (default target/channel-push-launcher.jar)
              --heap SIZE         the node's -Xmx (default 512m)
              --honest N          honest clients receiving broadcasts (default 1000)
              --oversized N       clients sending a 5 MB frame, a 2^62-byte header, or 5 MB in 1 KB fragments (default 200)
              --big-headers N     handshakes with 64 KB of headers (default 200)
              --slowloris N       sockets trickling half-sent requests (default 1000)
              --rate N            broadcasts per second (default 20)
              --seconds N         how long the broadcasts and the attack last (default 30)
              --stream-cap-mb N   bytes each 2^62-header client streams at most (default 16)
              --node-jvm OPTS     more JVM options for the node, space-separated (e.g. -XX:+ExitOnOutOfMemoryError)
            """;

    private HostileBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path jar = Path.of("target/channel-push-launcher.jar");
        String heap = "512m";
        int honest = 1000;
        int oversized = 200;
        int bigHeaders = 200;
        int loris = 1000;
        int rate = 20;
        int seconds = 30;
        long capMb = 16;
        List<String> nodeJvm = List.of();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help")) {
                out.print(USAGE);
                return 0;
            }
            if (i + 1 >= args.length) {
                err.println(args[i] + " needs a value");
                return 2;
            }
            String v = args[++i];
            switch (args[i - 1]) {
                case "--jar" -> jar = Path.of(v);
                case "--heap" -> heap = v;
                case "--honest" -> honest = Integer.parseInt(v);
                case "--oversized" -> oversized = Integer.parseInt(v);
                case "--big-headers" -> bigHeaders = Integer.parseInt(v);
                case "--slowloris" -> loris = Integer.parseInt(v);
                case "--rate" -> rate = Integer.parseInt(v);
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--stream-cap-mb" -> capMb = Long.parseLong(v);
                case "--node-jvm" -> nodeJvm = List.of(v.strip().split("\\s+"));
                default -> {
                    err.println("unknown option " + args[i - 1]);
                    err.print(USAGE);
                    return 2;
                }
            }
        }
        if (honest + oversized + bigHeaders + loris > 15_000) {
            err.println("at most 15,000 sockets in all: the descriptor limit here is 20,000 per process");
            return 2;
        }
        try (NodeProcess node = NodeProcess.start(jar, heap, nodeJvm)) {
            out.printf("node: launcher jar, -Xmx%s %s, default settings, in-process daemon; ws %d, publisher %d%n",
                    heap, String.join(" ", nodeJvm), node.wsPort, node.httpPort);
            return attack(node, honest, oversized, bigHeaders, loris, rate, seconds, capMb << 20, out);
        }
    }

    private static int attack(NodeProcess node, int honest, int oversized, int bigHeaders, int lorisCount, int rate,
                              int seconds, long capBytes, PrintStream out) throws Exception {
        InetSocketAddress ws = new InetSocketAddress("127.0.0.1", node.wsPort);
        InetSocketAddress http = new InetSocketAddress("127.0.0.1", node.httpPort);
        Deliveries deliveries = new Deliveries();
        List<BenchClient> clients = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Tally oversizedTally = new Tally();
        Tally headerTally = new Tally();
        Tally lorisTally = new Tally();
        RawAttacks raw = new RawAttacks(ws, capBytes, () -> stop.get() || !node.alive());
        SlowLoris slow = new SlowLoris(lorisTally);
        ExecutorService attackers = Executors.newFixedThreadPool(Math.max(1, oversized + bigHeaders));
        Thread lorisThread = new Thread(() -> slow.run(lorisCount, ws, http, stop::get, node::alive), "slowloris");
        try (NioTransport transport = new NioTransport(List.of("127.0.0.1"), 2)) {
            URI target = URI.create("ws://127.0.0.1:" + node.wsPort + "/");
            for (int i = 0; i < honest; i++) {
                BenchClient c = new BenchClient(deliveries);
                clients.add(c);
                transport.connect(c, target, i);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int welcomed = 0;
            for (BenchClient c : clients) {
                try {
                    c.welcomed.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    welcomed++;
                } catch (Exception e) {
                    // counted as not connected
                }
            }
            out.printf("honest clients connected: %d of %d; node resident peak before the attack: %d MB%n",
                    welcomed, honest, node.peakResidentKb() / 1024);

            // Everything at once: the attackers, the slow loris and the broadcasts.
            for (int i = 0; i < oversized; i++) {
                RawAttacks.Kind kind = RawAttacks.Kind.values()[i % RawAttacks.Kind.values().length];
                attackers.execute(() -> raw.oversized(kind, oversizedTally));
            }
            for (int i = 0; i < bigHeaders; i++) {
                attackers.execute(() -> raw.bigHeaders(headerTally));
            }
            lorisThread.start();
            long attackStart = System.nanoTime();
            int messages = rate * seconds;
            deliveries.start("hostile", messages, welcomed);
            Broadcast b = broadcast(node, messages, rate, seconds, deliveries, welcomed);
            long heldOpen = raw.heldOpen();
            stop.set(true);
            attackers.shutdown();
            if (!attackers.awaitTermination(15, TimeUnit.SECONDS)) {
                raw.closeAll(); // unblocks writes the node no longer reads
                attackers.awaitTermination(15, TimeUnit.SECONDS);
            }
            lorisThread.join(30_000);
            String liveness = node.alive() ? node.liveness() : "-";
            raw.closeAll();

            long expected = (long) b.published * welcomed;
            long received = deliveries.count();
            long lost = 0;
            for (int seq = b.ok.nextSetBit(0); seq >= 0; seq = b.ok.nextSetBit(seq + 1)) {
                lost += Math.max(0, welcomed - deliveries.deliveredTo(seq));
            }
            Tally honestCloses = new Tally();
            deliveries.unexpectedCloses().forEach(c -> honestCloses.add(c.split(" ", 2)[0]));
            LatencyHistogram latency = deliveries.latency();
            out.printf("node: %s; peak resident memory (VmHWM) %d MB%n", node.alive() ? "process alive, /health/live "
                    + liveness : String.format("NODE DIED (exit status %d, %.1f s after the attack began)", node.exitCode(),
                    (node.exitedNanos() - attackStart) / 1e9), node.peakResidentKb() / 1024);
            out.printf("honest: %d of %d broadcasts published (%d refused or failed, %d not attempted in time) over "
                            + "%.1f s to %d clients: %d deliveries (%d expected for the published ones, %.0f/s), lost %d, "
                            + "p99 %.1f ms, max %.1f ms; closed by the node: %d %s%n",
                    b.published, messages, b.failed, messages - b.published - b.failed, b.seconds, welcomed, received,
                    expected, received / Math.max(0.001, b.seconds), lost, latency.percentileNanos(99) / 1e6, latency.maxNanos() / 1e6,
                    deliveries.unexpectedCloses().size(), honestCloses);
            out.println("oversized/fragmented (" + oversized + "): " + oversizedTally);
            out.println("64 KB-header handshakes (" + bigHeaders + "): " + headerTally + "; accepted ones still open "
                    + "at the end: " + heldOpen);
            out.println("slow loris (" + lorisCount + "): " + lorisTally + "; time to the node's answer or close: "
                    + slow.closeTimes());
            if (!node.alive()) {
                out.println("(the node died: EOF and resets after its death come from its exit, not from a limit)");
            }
            java.util.Set<String> log = new java.util.LinkedHashSet<>(node.linesWith("SEVERE").stream().limit(5).toList());
            log.addAll(node.linesWith("java.lang.OutOfMemoryError").stream().limit(3).toList());
            log.forEach(l -> out.println("node log: " + l));
            deliveries.stopping();
            clients.forEach(BenchClient::close);
            if (node.alive()) {
                out.println("node stop: " + (node.stop() ? "stopped on SIGTERM" : "IGNORED SIGTERM for 10 s (killed)"));
            }
        } finally {
            stop.set(true);
            attackers.shutdownNow();
            raw.closeAll();
        }
        return 0;
    }

    /** @param ok the sequence numbers the node answered 200 to */
    private record Broadcast(int published, int failed, double seconds, java.util.BitSet ok) {
    }

    /**
     * Publishes {@code messages} paced broadcasts, stopping at {@code seconds} + 10 s whatever happens (a node that
     * stopped answering costs each publish its 5 s timeout), then waits up to 10 s for the last ones to arrive.
     */
    private static Broadcast broadcast(NodeProcess node, int messages, int rate, int seconds, Deliveries deliveries,
                                       int recipients) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String pad = "x".repeat(64);
        long start = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / Math.max(1, rate);
        int published = 0;
        int failed = 0;
        int last = -1;
        java.util.BitSet ok = new java.util.BitSet();
        long end = start + TimeUnit.SECONDS.toNanos(seconds + 10L);
        for (int i = 0; i < messages && node.alive() && System.nanoTime() < end; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing, not synchronization
            }
            String content = "hostile:" + i + ":" + System.nanoTime() + ":" + pad;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort
                        + "/?content=" + content)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    published++;
                    ok.set(i);
                    last = i;
                } else {
                    failed++;
                }
            } catch (Exception e) {
                failed++;
            }
        }
        if (last >= 0 && recipients > 0) {
            deliveries.awaitDelivered(last, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        }
        return new Broadcast(published, failed, (System.nanoTime() - start) / 1e9, ok);
    }
}
