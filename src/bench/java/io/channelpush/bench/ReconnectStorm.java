package io.channelpush.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * "N clients reconnect at once after a node restart": one launcher jar (in-process daemon) as a child process on
 * fixed loopback ports; N harness clients connect to it (sliding window, the connect rate of a warm node); the node
 * is stopped (SIGTERM: every client gets 1001; or {@code --kill}: SIGKILL, the sockets just end) and started again
 * on the same ports; the moment its {@code /health/ready} first answers 200 all N clients start their connects at
 * once. Prints the time from that moment until every client has its welcome line (the figure issue #15 bounds at
 * 1 s for 10,000), per-client times from the same moment, how long the harness took to issue the connects, and the
 * node's CPU during the storm. The restarted node is a cold JVM, as after a real restart. Not thread-safe: one run.
 */
final class ReconnectStorm {
    static final String USAGE = """
            usage: BenchMain reconnect [options]   (from the repository root, after mvn -B -q package -DskipTests)
              --clients N           clients (default 10000; raise ulimit -n above N + 100)
              --connect-window W    handshakes in flight while the clients first connect (default 1000)
              --client-threads T    selector threads of the harness's nio client (default 2)
              --sources A[,A]       local addresses to connect from (default 127.0.0.1)
              --kill                SIGKILL the node instead of SIGTERM
              --node-jvm "OPTS"     JVM options of the node, space-separated (default: -Xms256m)
              --heap SIZE           the node's -Xmx (default 2g)
              --jar PATH            the launcher jar (default target/channel-push-launcher.jar)
              --timeout-seconds S   limit of each step (default 60)
              --out FILE            JSON report (default target/bench-reconnect.json)
            """;

    private ReconnectStorm() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        int clients = 10_000;
        int window = 1000;
        int threads = 2;
        List<String> sources = List.of("127.0.0.1");
        boolean kill = false;
        List<String> jvm = List.of("-Xms256m");
        String heap = "2g";
        int timeout = 60;
        String outFile = "target/bench-reconnect.json";
        Path jar = Path.of("target/channel-push-launcher.jar");
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--clients" -> clients = Integer.parseInt(args[++i]);
                    case "--connect-window" -> window = Integer.parseInt(args[++i]);
                    case "--client-threads" -> threads = Integer.parseInt(args[++i]);
                    case "--sources" -> sources = List.of(args[++i].split(","));
                    case "--kill" -> kill = true;
                    case "--node-jvm" -> jvm = List.of(args[++i].trim().split("\\s+"));
                    case "--heap" -> heap = args[++i];
                    case "--timeout-seconds" -> timeout = Integer.parseInt(args[++i]);
                    case "--out" -> outFile = args[++i];
                    case "--jar" -> jar = Path.of(args[++i]);
                    case "--help", "-h" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (clients <= 0 || window <= 0 || threads <= 0 || timeout <= 0) {
                throw new IllegalArgumentException("counts must be positive");
            }
            for (String s : sources) {
                if (!s.startsWith("127.")) {
                    throw new IllegalArgumentException("only loopback source addresses are allowed, not " + s);
                }
            }
        } catch (RuntimeException e) {
            err.print("reconnect: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        Path data = Files.createTempDirectory("reconnect-bench");
        List<String> nodeArgs = List.of("--channel-data-dir", data.toString(), "--worker-id", "storm",
                "--set", "channelpush.max-connections=100000");
        int ws = NodeProcess.freePort();
        int http = NodeProcess.freePort();
        int channel = NodeProcess.freePort();
        long timeoutNanos = TimeUnit.SECONDS.toNanos(timeout);
        JsonObject json = new JsonObject();
        json.addProperty("command", "BenchMain reconnect " + String.join(" ", args));
        json.addProperty("cores", Runtime.getRuntime().availableProcessors());
        Deliveries deliveries = new Deliveries();
        List<URI> target = List.of(URI.create("ws://127.0.0.1:" + ws + "/"));
        NodeProcess node = NodeProcess.start(jar, heap, jvm, nodeArgs, ws, http, channel);
        try (NioTransport transport = new NioTransport(sources, threads)) {
            out.printf("# reconnect storm: %d clients, node pid %d (%s -Xmx%s), %d cores, Java %s; client nio x%d from %s%n",
                    clients, node.pid(), String.join(" ", jvm), heap, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), threads, sources);
            awaitReady(http, System.nanoTime() + timeoutNanos);
            ConnectRamp first = new ConnectRamp(transport, deliveries, target);
            long t0 = System.nanoTime();
            List<BenchClient> before = first.run(clients, window, 0, 0, System.nanoTime() + timeoutNanos);
            double firstSeconds = (first.lastWelcomeNanos() - t0) / 1e9;
            out.printf(Locale.ROOT, "connect     %,d clients in %.2f s = %,.0f connects/s (%d in flight at most, warm-up "
                    + "of the first node)%s%n", before.size(), firstSeconds, before.size() / firstSeconds, window,
                    before.size() < clients ? "; " + first.failures() + " failed (" + first.firstFailure() + ")" : "");
            long stopped = System.nanoTime();
            if (kill) {
                node.kill();
            } else {
                node.stop();
            }
            CompletableFuture.allOf(before.stream().map(c -> c.closed).toArray(CompletableFuture[]::new))
                    .get(timeout, TimeUnit.SECONDS);
            out.printf(Locale.ROOT, "stop        %s: every client saw its connection end after %.0f ms%n",
                    kill ? "SIGKILL" : "SIGTERM", (System.nanoTime() - stopped) / 1e6);
            long starting = System.nanoTime();
            node = NodeProcess.start(jar, heap, jvm, nodeArgs, ws, http, channel);
            long ready = awaitReady(http, System.nanoTime() + timeoutNanos);
            double cpu0 = PushReport.cpuSeconds(List.of(node.pid()));
            ConnectRamp storm = new ConnectRamp(transport, deliveries, target);
            List<BenchClient> after = storm.run(clients, clients, clients, ready, ready + timeoutNanos);
            long issued = storm.lastIssuedNanos();
            double cpu = PushReport.cpuSeconds(List.of(node.pid())) - cpu0;
            LatencyHistogram h = storm.latency();
            double allMs = (storm.lastWelcomeNanos() - ready) / 1e6;
            out.printf(Locale.ROOT, "restart     new node ready %.2f s after its start (a cold JVM)%n",
                    (ready - starting) / 1e9);
            out.printf(Locale.ROOT, "storm       %,d of %,d clients welcomed %.0f ms after the node was ready "
                            + "(%,.0f connects/s); per client from ready: p50 %.0f ms, p99 %.0f ms, max %.0f ms; "
                            + "%d failed%s%n", after.size(), clients, allMs, after.size() / (allMs / 1e3),
                    h.percentileNanos(50) / 1e6, h.percentileNanos(99) / 1e6, h.maxNanos() / 1e6, storm.failures(),
                    storm.firstFailure() == null ? "" : " (" + storm.firstFailure() + ")");
            out.printf(Locale.ROOT, "            the harness issued the %,d connects in %.0f ms; node CPU %.2f s "
                    + "(%.0f us per connect, JIT included)%n", clients, (issued - ready) / 1e6, cpu,
                    cpu * 1e6 / Math.max(1, after.size()));
            json.addProperty("clients", clients);
            json.addProperty("first_connects_per_second", before.size() / firstSeconds);
            json.addProperty("restart", kill ? "SIGKILL" : "SIGTERM");
            json.addProperty("ready_after_start_seconds", (ready - starting) / 1e9);
            json.addProperty("welcomed", after.size());
            json.addProperty("failures", storm.failures());
            json.addProperty("all_welcomed_ms", allMs);
            json.addProperty("p50_ms", h.percentileNanos(50) / 1e6);
            json.addProperty("p99_ms", h.percentileNanos(99) / 1e6);
            json.addProperty("max_ms", h.maxNanos() / 1e6);
            json.addProperty("node_cpu_seconds", cpu);
            after.forEach(BenchClient::close);
            CompletableFuture.allOf(after.stream().map(c -> c.closed).toArray(CompletableFuture[]::new))
                    .get(timeout, TimeUnit.SECONDS);
        } finally {
            node.close();
        }
        Files.writeString(Path.of(outFile), new GsonBuilder().setPrettyPrinting().create().toJson(json));
        out.println("# JSON: " + outFile);
        return 0;
    }

    /**
     * Polls {@code GET /health/ready} every millisecond until it answers 200.
     *
     * @return System.nanoTime of the first 200
     */
    private static long awaitReady(int httpPort, long deadlineNanos) throws IOException {
        byte[] request = ("GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        while (System.nanoTime() - deadlineNanos < 0) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", httpPort), 1000);
                s.setSoTimeout(1000);
                OutputStream o = s.getOutputStream();
                o.write(request);
                o.flush();
                InputStream in = s.getInputStream();
                byte[] head = new byte[12];
                int n = in.readNBytes(head, 0, head.length);
                if (n == 12 && new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
                    return System.nanoTime();
                }
            } catch (IOException e) {
                // not listening yet
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        throw new IOException("the node was not ready in time");
    }
}
