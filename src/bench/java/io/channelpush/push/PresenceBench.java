package io.channelpush.push;

import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.push.bus.ChannelDaemonBus;
import io.channelpush.push.presence.PresenceQuestion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Presence query latency: two {@link PushNode}s on a real channel daemon (loopback), N connections without
 * sockets ({@link FakeWebSocket}) spread over both, two connections per user (one on each node), each connection in
 * one of G groups. Then each kind of query is asked Q times in a row through one node's
 * {@link io.channelpush.push.presence.Presence#ask} (the publisher's path minus HTTP), and p50/p99/max printed. A
 * benchmark, not a test; in this package for the node's package-private API.
 *
 * <p>{@code java -Xmx1g -cp target/test-classes:target/classes:$(cat target/bench-classpath.txt)
 * io.channelpush.push.PresenceBench 10000 1000 1000}
 */
public final class PresenceBench {
    private PresenceBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int groups = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        try (ChannelDaemon daemon = ChannelDaemon.start(DaemonConfig.defaults().withPort(0).withWarmup(Duration.ZERO)
                .withDataDir(java.nio.file.Files.createTempDirectory("bench-channel-data")));
             PushNode a = node("bench-a", daemon.port(), n);
             PushNode b = node("bench-b", daemon.port(), n)) {
            List<FakeWebSocket> sockets = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                PushNode home = i % 2 == 0 ? a : b;
                FakeWebSocket ws = new FakeWebSocket();
                sockets.add(ws);
                PushSession s = home.open(ws.session());
                home.users().bind(s, "user-" + (i / 2));
                home.join(s, "room-" + (i / 2) % groups);
            }
            sockets.forEach(ws -> ws.completeAll(null));
            PushFixture.await(() -> a.presence().members().size() == 2 && b.presence().members().size() == 2,
                    Duration.ofSeconds(30), "the nodes never heard each other");
            System.out.printf("# %,d connections (%,d users, 2 connections each, one per node) in %,d groups on 2 nodes,"
                    + " channel daemon on loopback, Java %s, %d cores%n", n, n / 2, groups,
                    System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
            String total = a.presence().ask(PresenceQuestion.totals());
            if (!total.contains("\"connections\":" + n) || !total.contains("\"users\":" + n / 2)) {
                throw new IllegalStateException("wrong totals: " + total);
            }
            Random rnd = new Random(1);
            run("presence=1", queries, () -> PresenceQuestion.totals(), a);
            run("group_members (page of 1,000)", queries,
                    () -> PresenceQuestion.group("room-" + rnd.nextInt(groups), "", 1000), a);
            run("online (10 user ids)", queries, () -> PresenceQuestion.online(
                    rnd.ints(10, 0, n / 2).mapToObj(i -> "user-" + i).toList()), a);
            run("user_groups", queries, () -> PresenceQuestion.userGroups("user-" + rnd.nextInt(n / 2)), a);
        }
    }

    private static PushNode node(String id, int port, int n) {
        PushConfig c = PushConfig.load(Map.of(PushConfig.WORKER_ID, id, PushConfig.MAX_CONNECTIONS,
                String.valueOf(n + 1), PushConfig.CHANNEL, "127.0.0.1:" + port)::get);
        ClientOptions o = ClientOptions.parse(c.channel()).withClientName("bench " + id);
        return new PushNode(c, listener -> new ChannelDaemonBus(o, listener),
                (worker, what, error) -> System.err.println("fatal: " + what + ": " + error));
    }

    private static void run(String what, int count, java.util.function.Supplier<PresenceQuestion> next, PushNode via)
            throws InterruptedException {
        for (int i = 0; i < Math.min(200, count); i++) {
            via.presence().ask(next.get()); // warm-up
        }
        long[] nanos = new long[count];
        int partial = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long s = System.nanoTime();
            if (via.presence().ask(next.get()).contains("\"partial\":true")) {
                partial++;
            }
            nanos[i] = System.nanoTime() - s;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(nanos);
        System.out.printf("%-32s %,6d queries in %5.2f s: p50 %6.2f ms, p99 %6.2f ms, max %6.2f ms, partial %d%n",
                what, count, secs, nanos[count / 2] / 1e6, nanos[count * 99 / 100] / 1e6, nanos[count - 1] / 1e6,
                partial);
    }
}
