package io.channelpush.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.processes.DaemonProcess;
import io.channelpush.processes.LauncherProcess;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Recovery throughput: the daemon jar and two launcher-jar nodes as processes; N {@code ?format=json} clients on node
 * A hold a position on the broadcast stream; node A is killed ({@code kill -9}); M broadcasts are published through
 * node B; node A is restarted on its ports; then all N clients connect to it at once and send {@code recover}.
 * Prints the time until all were answered {@code recovered}, the messages replayed per second (all clients'
 * messages before their {@code recovered}, over that time), per-client recovery times, and whether every client got
 * exactly the M messages it missed. {@code BenchMain recovery --help}.
 */
final class RecoveryBench {
    private static final String USAGE = """
            usage: BenchMain recovery [--clients N] [--backlog M] [--publishers P]
              --clients N     JSON clients recovering at once (default 1000)
              --backlog M     broadcasts published while node A is down, each replayed to every client (default 1000)
              --publishers P  concurrent HTTP publishers through node B for the backlog (default 8)
            Run from the repository root after mvn -B -q package -DskipTests (uses target/*.jar).
            """;

    private RecoveryBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        int clients = 1000;
        int backlog = 1000;
        int publishers = 8;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--backlog" -> backlog = Integer.parseInt(args[++i]);
                case "--publishers" -> publishers = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    err.print("unknown option " + args[i] + "\n" + USAGE);
                    return 2;
                }
            }
        }
        Path dir = Files.createTempDirectory("recovery-bench");
        HttpClient http = new HttpClient();
        http.setMaxConnectionsPerDestination(Math.max(64, publishers));
        http.start();
        WebSocketClient ws = new WebSocketClient(http);
        ws.setMaxTextMessageSize(1 << 20);
        ws.setIdleTimeout(Duration.ofMinutes(5));
        ws.start();
        try (DaemonProcess daemon = DaemonProcess.start(Files.createDirectories(dir.resolve("data")));
             LauncherProcess a = LauncherProcess.start("node-a", List.of("--channel", daemon.address(),
                     "--set", "channelpush.max-connections=100000"), dir.resolve("node-a.log"));
             LauncherProcess b = LauncherProcess.start("node-b", List.of("--channel", daemon.address()),
                     dir.resolve("node-b.log"))) {
            out.printf("# recovery bench: daemon pid %d, node A pid %d, node B pid %d; %d cores; %s%n",
                    daemon.process().pid(), a.process().pid(), b.process().pid(),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            List<Client> all = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Client c = new Client();
                all.add(c);
                ws.connect(c, a.ws("?format=json")).get(10, TimeUnit.SECONDS);
            }
            publish(http, b, "before-", 5, 1);
            await(() -> all.stream().allMatch(c -> c.offset >= 0 && c.lastContent.equals("before-4")),
                    "the clients did not get the first broadcasts");
            long from = all.get(0).offset;
            out.printf("%d JSON clients on node A at broadcast offset %d; killing node A%n", clients, from);
            long killed = System.nanoTime();
            a.process().kill();
            await(() -> all.stream().allMatch(c -> c.closed.isDone()), "the clients did not see node A die");
            long t = System.nanoTime();
            int ok = publish(http, b, "missed-", backlog, publishers);
            out.printf("published %d broadcasts through node B (%d ok) in %.1f s%n", backlog, ok,
                    (System.nanoTime() - t) / 1e9);
            a.killAndRestart(); // it is dead already: this starts it again on its ports
            out.printf("node A serving again %.1f s after it was killed%n", (System.nanoTime() - killed) / 1e9);
            double[] load = loadAverage();
            long start = System.nanoTime();
            List<CompletableFuture<Session>> connects = new ArrayList<>();
            for (Client c : all) {
                c.startRecovery();
                connects.add(ws.connect(c, a.ws("?format=json")));
            }
            CompletableFuture.allOf(connects.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            await(() -> all.stream().allMatch(c -> c.recoveredAt > 0), () -> all.stream()
                    .filter(c -> c.recoveredAt > 0).count() + " of " + all.size() + " clients recovered; "
                    + all.stream().filter(c -> c.closed.isDone() && c.recoveredAt == 0).count() + " of the others"
                    + " closed; last refusal: " + all.stream().map(c -> c.lastError).filter(e -> e != null)
                    .findFirst().orElse("none") + "\nnode A:\n" + a.process().tail(20));
            long end = all.stream().mapToLong(c -> c.recoveredAt).max().orElseThrow();
            report(out, all, ok, start, end, load);
            out.println("logs and data: " + dir);
            for (Client c : all) {
                c.close();
            }
            return 0;
        } finally {
            ws.stop();
            http.stop();
        }
    }

    private static void report(PrintStream out, List<Client> all, int expected, long start, long end,
                               double[] load) {
        long replayed = all.stream().mapToLong(c -> c.replayed.get()).sum();
        long complete = all.stream().filter(c -> c.replayed.get() == expected && c.allTrue && c.inOrder).count();
        double seconds = (end - start) / 1e9;
        long[] each = all.stream().mapToLong(c -> c.recoveredAt - start).sorted().toArray();
        out.printf("recovery: %d clients x %d missed broadcasts: %,d messages replayed in %.2f s = %,.0f messages/s;"
                        + " per client p50 %.2f s, p99 %.2f s, last %.2f s%n", all.size(), expected, replayed,
                seconds, replayed / seconds, each[each.length / 2] / 1e9, each[(int) (each.length * 0.99)] / 1e9,
                each[each.length - 1] / 1e9);
        out.printf("recover commands refused and sent again: %,d%n",
                all.stream().mapToInt(c -> c.refusals.get()).sum());
        out.printf("complete (exactly the %d missed, in order, recovered true): %d of %d clients%n", expected,
                complete, all.size());
        all.stream().filter(c -> !(c.replayed.get() == expected && c.allTrue && c.inOrder))
                .collect(java.util.stream.Collectors.groupingBy(c -> "replayed " + c.replayed.get() + ", in order "
                        + c.inOrder + ", answered " + c.recoveredFrame, java.util.stream.Collectors.counting()))
                .forEach((what, n) -> out.printf("  incomplete: %d clients %s%n", n, what));
        out.printf("load average before the reconnect: %.2f %.2f %.2f%n", load[0], load[1], load[2]);
    }

    /** Publishes {@code n} broadcasts {@code prefix0..} through {@code node}, {@code parallel} at a time. */
    private static int publish(HttpClient http, LauncherProcess node, String prefix, int n, int parallel)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < parallel; w++) {
            workers.add(CompletableFuture.runAsync(() -> {
                for (int i; (i = next.getAndIncrement()) < n; ) {
                    try {
                        var r = http.newRequest(node.publisher() + "?content=" + prefix + i)
                                .timeout(15, TimeUnit.SECONDS).send();
                        if (r.getStatus() == 200) {
                            ok.incrementAndGet();
                        }
                    } catch (Exception e) {
                        // counted as not ok
                    }
                }
            }));
        }
        CompletableFuture.allOf(workers.toArray(new CompletableFuture[0])).get(10, TimeUnit.MINUTES);
        return ok.get();
    }

    private static void await(java.util.function.BooleanSupplier condition, String failure) throws Exception {
        await(condition, () -> failure);
    }

    private static void await(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> failure)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("within 2 minutes: " + failure.get());
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    private static double[] loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (Exception e) {
            return new double[3];
        }
    }

    /**
     * One JSON client: on its first connection it follows the broadcast stream's epoch and offset; on the second it
     * sends {@code recover} from there and counts the messages before {@code recovered} (scanning frames, not
     * parsing them, to leave the CPU to the node). Public so Jetty can call it; one session at a time.
     */
    public static final class Client implements Session.Listener.AutoDemanding {
        private static final String MESSAGE = "{\"type\":\"message\"";
        private static final String RECOVERED = "{\"type\":\"recovered\"";
        volatile String epoch;
        volatile long offset = -1;
        volatile String lastContent = "";
        volatile CompletableFuture<Void> closed = new CompletableFuture<>();
        final AtomicInteger replayed = new AtomicInteger();
        final AtomicInteger refusals = new AtomicInteger();
        volatile String lastError;
        volatile String recoveredFrame;
        volatile long recoveredAt;
        volatile boolean allTrue;
        volatile boolean inOrder = true;
        private volatile boolean recovering;
        private volatile Session session;
        private long lastReplayed;

        void startRecovery() {
            closed = new CompletableFuture<>();
            recovering = true;
            lastReplayed = offset;
        }

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
        }

        @Override
        public void onWebSocketText(String text) {
            if (!recovering) {
                JsonObject o = JsonParser.parseString(text).getAsJsonObject();
                if ("message".equals(o.get("type").getAsString())) {
                    epoch = o.get("epoch").getAsString();
                    lastContent = o.get("content").getAsString();
                    offset = o.get("offset").getAsLong();
                }
            } else if (text.startsWith(MESSAGE)) {
                if (recoveredAt == 0) {
                    int at = text.indexOf("\"offset\":") + 9;
                    int endAt = at;
                    while (endAt < text.length() && Character.isDigit(text.charAt(endAt))) {
                        endAt++;
                    }
                    long o = Long.parseLong(text, at, endAt, 10);
                    if (o <= lastReplayed) {
                        inOrder = false;
                    }
                    lastReplayed = o;
                    replayed.incrementAndGet();
                }
            } else if (text.startsWith(RECOVERED)) {
                allTrue = !text.contains("false");
                recoveredFrame = text;
                recoveredAt = System.nanoTime();
            } else if (text.contains("\"welcome\"")) {
                recover();
            } else if (text.contains("\"error\"") && recoveredAt == 0) {
                // refused (the node runs its most recoveries at once): ask again shortly, as a browser would
                refusals.incrementAndGet();
                lastError = text;
                CompletableFuture.delayedExecutor(ThreadLocalRandom.current().nextLong(50, 250),
                        TimeUnit.MILLISECONDS).execute(this::recover);
            }
        }

        private void recover() {
            Session s = session;
            if (s != null) {
                s.sendText("{\"cmd\":\"recover\",\"streams\":{\"broadcast\":{\"epoch\":\"" + epoch
                        + "\",\"offset\":" + offset + "}}}", Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketClose(int status, String reason) {
            closed.complete(null);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            closed.complete(null);
        }

        void close() {
            Session s = session;
            if (s != null) {
                s.close(1000, "done", Callback.NOOP);
            }
        }
    }
}
