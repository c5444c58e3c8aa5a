package io.channelpush.chaos;

import io.channelpush.processes.LauncherProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The chaos run's WebSocket clients and their reconnects: JSON clients whose connection is lost reconnect to a live
 * node after a jittered delay (100-300 ms, 200-1000 ms after a blip, doubling up to 2 s while attempts fail), as a
 * browser library would. Thread-safe.
 */
final class Fleet implements AutoCloseable {
    private final WebSocketClient ws;
    private final List<LauncherProcess> nodes;
    private final AtomicIntegerArray dead;
    private final Timeline timeline;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "fleet-reconnects");
        t.setDaemon(true);
        return t;
    });
    private final List<ChaosClient> clients = new ArrayList<>();
    private final List<java.util.concurrent.ScheduledFuture<?>> blips = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Set<ChaosClient> away = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    Fleet(HttpClient http, List<LauncherProcess> nodes, Timeline timeline) throws Exception {
        this.ws = new WebSocketClient(http);
        ws.setIdleTimeout(Duration.ofMinutes(5));
        ws.setConnectTimeout(5_000);
        ws.start();
        this.nodes = List.copyOf(nodes);
        this.dead = new AtomicIntegerArray(nodes.size());
        this.timeline = timeline;
    }

    /**
     * Connects {@code n} clients, alternately plain and JSON, spread over the nodes; of every 4 consecutive pairs,
     * one joins g1 and one g2. Waits until each has its welcome (and its group's ack), at most {@code limit}.
     */
    List<ChaosClient> connect(int n, Duration limit) throws Exception {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean json = i % 2 == 1;
            int node = (i / 2) % nodes.size();
            String group = switch ((i / 4) % 4) {
                case 1 -> "g1";
                case 3 -> "g2";
                default -> null;
            };
            ChaosClient c = new ChaosClient((json ? "json-" : "plain-") + i, json, group, this, timeline);
            synchronized (clients) {
                clients.add(c);
            }
            connect(c, node).get(limit.toMillis(), TimeUnit.MILLISECONDS);
            ready.add(c.ready);
        }
        CompletableFuture.allOf(ready.toArray(new CompletableFuture[0])).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        return clients();
    }

    private CompletableFuture<?> connect(ChaosClient c, int node) {
        LauncherProcess target = nodes.get(node);
        c.connectingTo(target.workerId);
        try {
            return ws.connect(c, target.ws(!c.json ? "" : c.promisesRecover() ? "?format=json&recover=1" : "?format=json"));
        } catch (java.io.IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A JSON client lost its connection: reconnect it after a jittered delay. */
    void reconnectLater(ChaosClient c, boolean blip) {
        if (away.contains(c)) {
            return;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        schedule(c, blip ? r.nextLong(200, 1_000) : r.nextLong(100, 300), 200);
    }

    private void schedule(ChaosClient c, long delayMillis, long backoffMillis) {
        if (!running) {
            return;
        }
        scheduler.schedule(() -> {
            if (!running) {
                return;
            }
            connect(c, liveNode()).whenComplete((s, e) -> {
                if (e != null) {
                    long next = Math.min(backoffMillis * 2, 2_000);
                    schedule(c, ThreadLocalRandom.current().nextLong(next / 2, next), next);
                }
            });
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    private int liveNode() {
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (dead.get(i) == 0) {
                live.add(i);
            }
        }
        return live.get(ThreadLocalRandom.current().nextInt(live.size()));
    }

    /** Disconnects {@code c} and keeps it away (no reconnect) until {@link #comeBack}. */
    void goAway(ChaosClient c) {
        away.add(c);
        c.blip();
    }

    /** Reconnects a client that went away to node {@code node}; it recovers once connected. */
    CompletableFuture<?> comeBack(ChaosClient c, int node) {
        away.remove(c);
        return connect(c, node);
    }

    /** Node {@code i} was killed: reconnect to the others only. */
    void nodeDied(int i) {
        dead.set(i, 1);
    }

    /**
     * Each JSON client drops its connection once, at a random moment within {@code window} from now, unless
     * {@link #stopBlips()} comes first.
     */
    void blipJsonClientsWithin(Duration window) {
        for (ChaosClient c : clients()) {
            if (c.json) {
                blips.add(scheduler.schedule(c::blip, ThreadLocalRandom.current().nextLong(window.toMillis()),
                        TimeUnit.MILLISECONDS));
            }
        }
    }

    /** Cancels the blips not yet done. */
    void stopBlips() {
        blips.forEach(f -> f.cancel(false));
    }

    List<ChaosClient> clients() {
        synchronized (clients) {
            return List.copyOf(clients);
        }
    }

    /** Stops reconnecting and closes every connection. */
    @Override
    public void close() throws Exception {
        running = false;
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        ws.stop();
    }
}
