package io.channelpush.processes;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of {@code nats-server -js} processes on loopback (random ports, routes between all of them, a store
 * folder each), returned once every server's {@code /healthz} answers 200, that is once JetStream has a meta leader
 * and the server is current with it, and a stream can be placed on all of them. {@link #killAndRestart(int)}
 * crashes one server and starts it again on its ports and store folder. Its servers are started by
 * {@link NatsServerCommand}. Fails (does not skip) when {@code nats-server} is not installed. Not thread-safe: one
 * test drives it.
 */
public final class JetStreamCluster implements AutoCloseable {
    private static final Duration READY_LIMIT = Duration.ofSeconds(30);

    private final int[] clientPorts;
    private final int[] monitorPorts;
    private final ChildProcess[] servers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private JetStreamCluster(int[] clientPorts, int[] monitorPorts, ChildProcess[] servers) {
        this.clientPorts = clientPorts;
        this.monitorPorts = monitorPorts;
        this.servers = servers;
    }

    /**
     * Starts {@code n} servers named {@code s1..sN} with their store folders under {@code dir}, healthy and able to
     * place a stream on all of them ({@link PlacementProbe#formPlaceable}: else formed again, 4 formations at most).
     */
    public static JetStreamCluster start(int n, Path dir) throws Exception {
        return PlacementProbe.formPlaceable(dir, n, d -> form(n, d), c -> c.url(0), JetStreamCluster::metaGroups,
                JetStreamCluster::close);
    }

    private static JetStreamCluster form(int n, Path dir) throws Exception {
        int[] client = new int[n];
        int[] cluster = new int[n];
        int[] monitor = new int[n];
        for (int i = 0; i < n; i++) {
            client[i] = ChildProcess.freePort();
            cluster[i] = ChildProcess.freePort();
            monitor[i] = ChildProcess.freePort();
        }
        ChildProcess[] servers = new ChildProcess[n];
        JetStreamCluster c = new JetStreamCluster(client, monitor, servers);
        try {
            for (int i = 0; i < n; i++) {
                int[] routes = new int[n - 1];
                for (int j = 0, k = 0; j < n; j++) {
                    if (j != i) {
                        routes[k++] = cluster[j];
                    }
                }
                String name = "s" + (i + 1);
                servers[i] = NatsServerCommand.of(name, client[i]).monitor(monitor[i])
                        .jetStream(Files.createDirectories(dir.resolve(name)))
                        .cluster("channelpush-chaos", cluster[i], routes).start(dir.resolve(name + ".log"));
            }
            for (int i = 0; i < n; i++) {
                c.awaitHealthy(i);
            }
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Each server's view of the JetStream meta group from its {@code /jsz}: "s1: leader s2, cluster size 3,
     * replicas [s1, s3]", or what went wrong asking.
     */
    String metaGroups() {
        List<String> views = new ArrayList<>();
        for (int i = 0; i < servers.length; i++) {
            String view;
            try {
                JsonObject meta = JsonParser.parseString(monitoring(i, "/jsz").body()).getAsJsonObject().getAsJsonObject("meta_cluster");
                List<String> replicas = new ArrayList<>();
                if (meta != null && meta.has("replicas")) {
                    meta.getAsJsonArray("replicas").forEach(e -> replicas.add(
                            e.getAsJsonObject().get("name").getAsString()));
                }
                view = meta == null ? "no meta group" : "leader " + (meta.has("leader")
                        ? meta.get("leader").getAsString() : "none") + ", cluster size " + meta.get("cluster_size")
                        + ", replicas " + replicas;
            } catch (IOException | RuntimeException e) {
                view = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                view = "interrupted";
            }
            views.add(servers[i].name + ": " + view);
        }
        return String.join("; ", views);
    }

    /** {@code nats://127.0.0.1:port} of server {@code i} (0-based). */
    public String url(int i) {
        return "nats://127.0.0.1:" + clientPorts[i];
    }

    /** Every server's URL, server {@code first} first, then the others in order: a node's {@code --nats} list. */
    public String urlsStartingWith(int first) {
        List<String> urls = new ArrayList<>(List.of(url(first)));
        for (int i = 0; i < clientPorts.length; i++) {
            if (i != first) {
                urls.add(url(i));
            }
        }
        return String.join(",", urls);
    }

    public ChildProcess server(int i) {
        return servers[i];
    }

    /** {@code kill -9} of server {@code i}, then the same command again; returns once it is healthy again. */
    public void killAndRestart(int i) throws Exception {
        servers[i].kill();
        servers[i] = servers[i].restart();
        awaitHealthy(i);
    }

    /** Waits until server {@code i}'s {@code /healthz} answers 200 (JetStream current), or fails with its log. */
    public void awaitHealthy(int i) throws Exception {
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!servers[i].alive()) {
                throw new AssertionError("nats-server " + servers[i].name + " exited; its output:\n"
                        + servers[i].tail(40));
            }
            try {
                HttpResponse<String> r = monitoring(i, "/healthz");
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            // polling a health endpoint: nothing to wait on but the next answer
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("nats-server " + servers[i].name + " not healthy within " + READY_LIMIT.toSeconds()
                + " s (last /healthz: " + last + "); its output:\n" + servers[i].tail(40));
    }

    /** What server {@code i}'s HTTP monitoring answers at {@code path}, within 2 s. */
    private HttpResponse<String> monitoring(int i, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitorPorts[i] + path))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        for (ChildProcess s : servers) {
            if (s != null) {
                s.close();
            }
        }
    }
}
