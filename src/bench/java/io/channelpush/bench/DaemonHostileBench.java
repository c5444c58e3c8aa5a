package io.channelpush.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code daemon-hostile}: the channel daemon, in a JVM of its own with its DEFAULT settings, under 100 hostile
 * connections at once ({@link HostileConnections}: huge frame headers and half-sent 1 MiB frames, 1 MB queue items
 * nobody takes, hellos trickled a byte per 500 ms, junk JSON) beside two honest nodes (the real
 * {@link ChannelClient}s) that publish to one channel both subscribe to, at a steady rate.
 *
 * <p>Prints the daemon's peak resident memory (VmHWM of /proc/&lt;pid&gt;/status, sampled VmRSS too) against its
 * memory bound and heap, the bytes it accounted at most (its {@code stats}), the honest traffic's delivery rate,
 * p50/p99/max latency and lost count, and how the hostile connections were answered (error codes counted). Bounded
 * in time (default 20 s of attack) and in connections; loopback only. Exit status 0 when the honest nodes lost
 * nothing and the accounted peak stayed within the bound.
 */
public final class DaemonHostileBench {
    static final String USAGE = """
            usage: BenchMain daemon-hostile [--seconds S] [--rate R] [--per-kind N] [--hoard-rate H] [--xmx M]
              --seconds S     length of the attack (default 20)
              --rate R        publishes per second of each honest node (default 1000)
              --per-kind N    hostile connections of each of the 4 kinds (default 25: 100 in all)
              --hoard-rate H  1 MB enqueues per second of each queue-item connection (default 10)
              --xmx M         the daemon JVM's -Xmx (default 512m)
            """;
    private static final Logger QUIET = Logger.getLogger("io.channelpush");

    private DaemonHostileBench() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        int seconds = 20;
        int rate = 1_000;
        int perKind = 25;
        int hoardRate = 10;
        String xmx = "512m";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--per-kind" -> perKind = Integer.parseInt(args[++i]);
                case "--hoard-rate" -> hoardRate = Integer.parseInt(args[++i]);
                case "--xmx" -> xmx = args[++i];
                default -> {
                    err.println("unknown option " + args[i]);
                    err.print(USAGE);
                    return 2;
                }
            }
        }
        QUIET.setLevel(Level.SEVERE);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = Path.of("target", "bench-daemon-hostile.log");
        Files.createDirectories(log.getParent());
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + xmx, "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=target/bench-daemon-hostile-gc.log", "-cp", System.getProperty("java.class.path"),
                "io.channelpush.channel.daemon.DaemonMain", "--port", Integer.toString(port));
        Process daemon = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        Thread killOnExit = new Thread(daemon::destroyForcibly, "bench-kill-daemon");
        Runtime.getRuntime().addShutdownHook(killOnExit);
        try {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            awaitListening(address, daemon);
            out.println("daemon-hostile: " + String.join(" ", cmd.subList(0, 3)) + " ... DaemonMain --port " + port
                    + " (pid " + daemon.pid() + ", default settings: memory bound "
                    + DaemonConfig.DEFAULT_MEMORY_LIMIT_BYTES + " bytes)");
            return attack(address, daemon, seconds, rate, perKind, hoardRate, xmx, out);
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        }
    }

    private static int attack(InetSocketAddress address, Process daemon, int seconds, int rate, int perKind,
                              int hoardRate, String xmx, PrintStream out) throws Exception {
        RssSampler rss = new RssSampler(daemon.pid());
        rss.start();
        List<HonestNode> nodes = List.of(new HonestNode("node-a", address), new HonestNode("node-b", address));
        for (HonestNode n : nodes) {
            if (!n.client.awaitConnected(Duration.ofSeconds(10))) {
                throw new IOException(n.name + " never connected to the daemon");
            }
        }
        // both subscriptions in place before counting: a probe publish reaches both
        for (HonestNode n : nodes) {
            n.awaitSubscribed(nodes.get(0));
        }
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (HonestNode n : nodes) {
            n.startNanos = start;
        }
        HostileConnections hostile = new HostileConnections(address, end, hoardRate);
        hostile.start(perKind);
        List<Thread> publishers = new ArrayList<>();
        for (HonestNode n : nodes) {
            Thread t = new Thread(() -> n.publishUntil(end, rate), "honest-publisher-" + n.name);
            publishers.add(t);
            t.start();
        }
        for (Thread t : publishers) {
            t.join();
        }
        long published = nodes.stream().mapToLong(n -> n.published.get()).sum();
        long expected = published * nodes.size();
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (nodes.stream().mapToLong(n -> n.received.get()).sum() < expected && System.nanoTime() < drainDeadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        hostile.join(15_000);
        JsonObject stats = stats(address);
        rss.stop();
        long received = nodes.stream().mapToLong(n -> n.received.get()).sum();
        long refused = nodes.stream().mapToLong(n -> n.refused.get()).sum();
        LatencyHistogram latency = new LatencyHistogram();
        for (HonestNode n : nodes) {
            n.client.close();
            synchronized (n.latency) {
                latency.add(n.latency);
            }
        }
        long bound = stats.get("memory_limit_bytes").getAsLong();
        long accountedPeak = stats.get("memory_peak_bytes").getAsLong();
        out.printf(Locale.ROOT, "attack: %d s, %d hostile connections (%d of each kind), 2 honest nodes at %d publishes/s each%n",
                seconds, perKind * 4, perKind, rate);
        out.printf(Locale.ROOT, "daemon memory: peak RSS (VmHWM) %.1f MiB, highest sampled VmRSS %.1f MiB, -Xmx%s; "
                        + "bytes retained by its own count: peak %.1f MiB of its bound %.1f MiB%n",
                rss.hwmKb() / 1024.0, rss.maxRssKb() / 1024.0, xmx, accountedPeak / 1048576.0, bound / 1048576.0);
        out.printf(Locale.ROOT, "honest traffic: %d published, %d of %d deliveries received (%.0f deliveries/s), lost %d,"
                        + " refused by the client %d; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                published, received, expected, received / elapsed, expected - received, refused,
                latency.percentileNanos(50) / 1e6, latency.percentileNanos(99) / 1e6, latency.maxNanos() / 1e6);
        StringBuilder worst = new StringBuilder();
        for (int sec = 0; sec < Math.min(seconds, 600); sec++) {
            long w = 0;
            for (HonestNode n : nodes) {
                w = Math.max(w, n.worstPerSecond.get(sec));
            }
            worst.append(sec == 0 ? "" : " ").append(w);
        }
        out.println("honest traffic, worst latency (ms) of the messages sent in each second: " + worst);
        out.println("hostile connections opened, by kind: " + hostile.connects());
        out.println("hostile connections answered (kind: code = count):");
        for (Map.Entry<String, Long> e : hostile.answers().entrySet()) {
            out.printf(Locale.ROOT, "  %-45s %,d%n", e.getKey(), e.getValue());
        }
        out.println("daemon still answering stats after the attack: clients=" + stats.get("clients").getAsInt()
                + ", memory now " + stats.get("memory_bytes").getAsLong() + " bytes; daemon log: target/bench-daemon-hostile.log, GC log: target/bench-daemon-hostile-gc.log");
        return expected == received && accountedPeak <= bound ? 0 : 1;
    }

    private static void awaitListening(InetSocketAddress address, Process p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(address, 200);
                return;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("the daemon did not start listening on " + address);
                }
                Thread.sleep(50);
            }
        }
    }

    private static JsonObject stats(InetSocketAddress address) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(address, 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(Messages.hello("bench-stats", null));
            s.getOutputStream().write(Messages.simple(MessageType.STATS));
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            while (true) {
                JsonObject m = JsonParser.parseString(new String(FrameCodec.read(in, 1 << 24), StandardCharsets.UTF_8))
                        .getAsJsonObject();
                if (m.get("type").getAsString().equals("stats_reply")) {
                    return m;
                }
            }
        }
    }

    /** One honest node: a ChannelClient subscribed to the shared channel, publishing timestamps at a set rate. */
    private static final class HonestNode {
        static final String CHANNEL = "broadcast";
        final String name;
        final ChannelClient client;
        final AtomicLong published = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong probesSeen = new AtomicLong();
        final LatencyHistogram latency = new LatencyHistogram();
        /** Worst latency, in ms, of the messages sent in each second of the run. */
        final java.util.concurrent.atomic.AtomicLongArray worstPerSecond = new java.util.concurrent.atomic.AtomicLongArray(600);
        volatile long startNanos;

        HonestNode(String name, InetSocketAddress address) {
            this.name = name;
            this.client = ChannelClient.start(ClientOptions.of(address.getHostString(), address.getPort())
                    .withClientName(name));
            client.on(CHANNEL, data -> {
                JsonObject o = data.getAsJsonObject();
                if (o.has("probe")) {
                    probesSeen.incrementAndGet();
                    return;
                }
                long sent = o.get("t").getAsLong();
                long took = System.nanoTime() - sent;
                synchronized (latency) {
                    latency.record(took);
                }
                int second = (int) Math.min(599, Math.max(0, (sent - startNanos) / 1_000_000_000L));
                worstPerSecond.accumulateAndGet(second, took / 1_000_000, Math::max);
                received.incrementAndGet();
            });
        }

        void awaitSubscribed(HonestNode publisher) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (probesSeen.get() == 0) {
                JsonObject p = new JsonObject();
                p.addProperty("probe", true);
                publisher.client.publish(CHANNEL, p);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                if (System.nanoTime() > deadline) {
                    throw new IOException(name + " never received on " + CHANNEL);
                }
            }
        }

        void publishUntil(long end, int rate) {
            long gap = 1_000_000_000L / rate;
            String pad = "p".repeat(100);
            for (long next = System.nanoTime(); next < end; next += gap) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                JsonObject o = new JsonObject();
                o.addProperty("t", System.nanoTime());
                o.addProperty("from", name);
                o.addProperty("pad", pad);
                try {
                    client.publish(CHANNEL, o);
                    published.incrementAndGet();
                } catch (ChannelUnavailableException e) {
                    refused.incrementAndGet();
                }
            }
        }
    }

    /** Samples the daemon's VmRSS every 100 ms and reads its VmHWM (the kernel's peak) at the end. */
    private static final class RssSampler {
        private final Path status;
        private volatile boolean running = true;
        private final AtomicLong maxRss = new AtomicLong();
        private volatile long hwm;
        private final Thread thread;

        RssSampler(long pid) {
            this.status = Path.of("/proc", Long.toString(pid), "status");
            this.thread = new Thread(this::sample, "rss-sampler");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(2_000);
            hwm = field("VmHWM:");
        }

        private void sample() {
            while (running) {
                maxRss.accumulateAndGet(field("VmRSS:"), Math::max);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }

        private long field(String name) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith(name)) {
                        return Long.parseLong(line.substring(name.length()).replace("kB", "").strip());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return 0;
            }
            return 0;
        }

        long maxRssKb() {
            return maxRss.get();
        }

        long hwmKb() {
            return hwm;
        }
    }
}
