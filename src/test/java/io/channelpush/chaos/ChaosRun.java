package io.channelpush.chaos;

import io.channelpush.processes.LauncherProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.client.HttpClient;

/**
 * One chaos run over two nodes and a bus, phase by phase: clients connect (plain ones that must stay connected,
 * JSON ones that blip once each and recover), then numbered publishes run through both nodes while in turn the bus
 * is stopped for 10 s ({@code SIGSTOP}, {@code SIGCONT}), the bus is killed ({@code kill -9}) and restarted, and node
 * A is killed (its JSON clients reconnect to node B and recover, its publisher moves to node B). Between
 * disturbances it waits until both publishers are answered ok again; at the end until every client that must have
 * everything has each publisher's last ok publish, or a time limit; then it judges ({@link Verdict}). Not
 * thread-safe: one test drives it.
 */
final class ChaosRun {
    /** The bus as the run disturbs it: the channel daemon, or the NATS server node A uses. */
    interface Bus {
        /** How phases name it ("daemon", "nats-server s1"). */
        String name();

        void pause() throws Exception;

        void resume() throws Exception;

        /** {@code kill -9} and a restart on the same port and data; returns once it serves again. */
        void killAndRestart() throws Exception;

        /** The end of its log, for failure messages. */
        String tail();
    }

    static final Duration PAUSE = Duration.ofSeconds(10);
    private static final Duration PROGRESS_LIMIT = Duration.ofSeconds(45);
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);
    private static final int PROGRESS_OKS = 40;
    /** Sequential publishers per node. */
    private static final int LANES = 4;

    private final Timeline timeline = new Timeline();
    private final HttpClient http;
    private final List<LauncherProcess> nodes;
    private final Bus bus;
    private final int clientCount;

    ChaosRun(HttpClient http, List<LauncherProcess> nodes, Bus bus, int clientCount) {
        this.http = http;
        this.nodes = nodes;
        this.bus = bus;
        this.clientCount = clientCount;
    }

    Verdict run() throws Exception {
        List<Publisher> publishers = new ArrayList<>();
        try (Fleet fleet = new Fleet(http, nodes, timeline)) {
            timeline.begin("connect");
            List<ChaosClient> clients = fleet.connect(clientCount, Duration.ofSeconds(60));
            // Several sequential publishers per node: each keeps an order of its own, and together they keep
            // publishes in flight while the bus stalls (one alone would have one publish waiting for its answer).
            for (int lane = 1; lane <= LANES; lane++) {
                publishers.add(new Publisher("A" + lane, nodes.get(0).publisher(), http, timeline, 10, 15_000));
                publishers.add(new Publisher("B" + lane, nodes.get(1).publisher(), http, timeline, 10, 15_000));
            }
            try {
                timeline.begin("steady");
                publishers.forEach(Publisher::start);
                awaitProgress(publishers, "steady");
                fleet.blipJsonClientsWithin(Duration.ofSeconds(25));

                timeline.begin(bus.name() + " SIGSTOP " + PAUSE.toSeconds() + " s");
                bus.pause();
                try {
                    TimeUnit.MILLISECONDS.sleep(PAUSE.toMillis()); // the scenario: a 10 s stall of the bus
                } finally {
                    bus.resume();
                }
                timeline.begin("after SIGCONT");
                awaitProgress(publishers, "after SIGCONT");

                timeline.begin(bus.name() + " kill -9, restart");
                bus.killAndRestart();
                timeline.begin("after restart");
                awaitProgress(publishers, "after the bus restarted");

                timeline.begin(nodes.get(0).workerId + " kill -9");
                fleet.stopBlips(); // from now on only the node's death moves clients
                nodes.get(0).process().kill();
                fleet.nodeDied(0);
                for (Publisher p : publishers) {
                    if (p.name.startsWith("A")) {
                        p.retarget(nodes.get(1).publisher());
                    }
                }
                awaitProgress(publishers, "after node A died");
                await(() -> clients.stream().filter(c -> c.json).allMatch(ChaosClient::settled), PROGRESS_LIMIT,
                        () -> "JSON clients not reconnected and recovered within " + PROGRESS_LIMIT.toSeconds()
                                + " s of node A's death: " + clients.stream().filter(c -> c.json && !c.settled())
                                .map(ChaosClient::toString).limit(10).toList());
            } catch (AssertionError | Exception e) {
                for (Publisher p : publishers) {
                    p.close();
                }
                Verdict v = Verdict.judge(timeline, publishers, clients);
                v.print(System.out, "chaos run on " + bus.name() + " ABORTED in phase "
                        + timeline.describe(timeline.current()));
                System.out.println(logs());
                throw e;
            }
            timeline.begin("drain");
            for (Publisher p : publishers) {
                p.close();
            }
            awaitDrained(clients, publishers);
            Verdict v = Verdict.judge(timeline, publishers, clients);
            if (!v.passed()) {
                System.out.println(warnings());
            }
            return v;
        }
    }

    /** Waits until each publisher got {@value #PROGRESS_OKS} more ok answers. */
    private void awaitProgress(List<Publisher> publishers, String when) throws InterruptedException {
        int[] from = publishers.stream().mapToInt(Publisher::okCount).toArray();
        await(() -> {
            for (int i = 0; i < from.length; i++) {
                if (publishers.get(i).okCount() < from[i] + PROGRESS_OKS) {
                    return false;
                }
            }
            return true;
        }, PROGRESS_LIMIT, () -> {
            StringBuilder b = new StringBuilder("publishers not answered ok " + PROGRESS_OKS + " times " + when
                    + " within " + PROGRESS_LIMIT.toSeconds() + " s; their last answers:");
            for (Publisher p : publishers) {
                List<Publisher.Publish> all = p.publishes();
                b.append("\n  ").append(p.name).append(": ")
                        .append(all.subList(Math.max(0, all.size() - 3), all.size()));
            }
            return b.toString();
        });
    }

    /**
     * Waits until every JSON client is connected and recovered, and every client that must have everything (plain
     * ones never disconnected, JSON ones not told false) has the last ok publish of each publisher on each stream it follows; ordered streams make that the
     * sign that everything before it arrived too. Gives up after {@link #DRAIN_LIMIT}: the verdict then says what
     * is missing.
     */
    private void awaitDrained(List<ChaosClient> clients, List<Publisher> publishers) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        while (System.nanoTime() < deadline && !drained(clients, publishers)) {
            TimeUnit.MILLISECONDS.sleep(50); // polling a condition of many clients
        }
    }

    private static boolean drained(List<ChaosClient> clients, List<Publisher> publishers) {
        if (!clients.stream().filter(c -> c.json).allMatch(ChaosClient::settled)) {
            return false;
        }
        for (Publisher p : publishers) {
            List<Publisher.Publish> all = p.publishes();
            for (String stream : List.of(Streams.BROADCAST, "group:g1", "group:g2")) {
                int last = 0;
                for (int i = all.size() - 1; i >= 0 && last == 0; i--) {
                    if (all.get(i).outcome() == Outcome.OK && all.get(i).stream().equals(stream)) {
                        last = all.get(i).seq();
                    }
                }
                for (ChaosClient c : clients) {
                    boolean mustHave = c.json ? c.settled() && !c.toldFalse().containsKey(stream)
                            : c.closes().isEmpty();
                    if (last > 0 && mustHave && Streams.followedBy(c.group).contains(stream)
                            && !c.has(p.name, stream, last)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private String logs() {
        StringBuilder b = new StringBuilder("--- " + bus.name() + " log (end):\n" + bus.tail());
        for (LauncherProcess n : nodes) {
            b.append("\n--- ").append(n.workerId).append(" log (end):\n").append(n.process().tail(40));
        }
        return b.toString();
    }

    /** The nodes' warnings and errors (at most 40 lines each), for a run that failed. */
    private String warnings() {
        StringBuilder b = new StringBuilder();
        for (LauncherProcess n : nodes) {
            List<String> w = new ArrayList<>(n.process().linesWith(" WARNING "));
            w.addAll(n.process().linesWith(" SEVERE "));
            b.append("--- ").append(n.workerId).append(": ").append(w.size()).append(" warnings and errors\n");
            // publish answers repeat (503s during an election): the other lines first, so that they are seen
            w.stream().sorted(java.util.Comparator.comparing((String l) -> l.contains(".PublishAnswers:"))
                    .thenComparing(l -> l)).limit(40).forEach(l -> b.append(l).append('\n'));
        }
        return b.toString();
    }

    /** Waits for {@code condition}, checking every 20 ms; fails with {@code failure} after {@code limit}. */
    static void await(BooleanSupplier condition, Duration limit, Supplier<String> failure) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    Timeline timeline() {
        return timeline;
    }
}
