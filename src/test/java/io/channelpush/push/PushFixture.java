package io.channelpush.push;

import io.channelpush.channel.TestData;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.launcher.Launcher;
import io.channelpush.launcher.LauncherOptions;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.NatsServerProcess;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.FormRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Everything a push test needs, started on loopback with free ports: the bus (a real channel daemon or a real
 * nats-server, by {@link Backend}), push nodes (the launcher's embedded Undertow with the WAR's listener and
 * servlet), Jetty's WebSocket and HTTP clients. One per test class; close it to stop everything.
 */
final class PushFixture implements AutoCloseable {
    /** The bus between the nodes. */
    enum Backend { DAEMON, NATS }

    final Backend backend;
    /** The channel daemon, or null on NATS. */
    ChannelDaemon daemon;
    /** The daemon's data folder (its streams), kept across {@link #restartDaemon}. */
    final Path daemonData;
    /** The NATS server, or null on the daemon. */
    final NatsServerProcess nats;
    final HttpClient http = new HttpClient();
    final WebSocketClient ws = new WebSocketClient(http);
    private final List<Launcher> nodes = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();

    PushFixture() throws Exception {
        this(Backend.DAEMON);
    }

    PushFixture(Backend backend) throws Exception {
        this(backend, TestData.freshDir(), backend == Backend.NATS ? NatsServerProcess.start() : null);
    }

    private PushFixture(Backend backend, Path daemonData, NatsServerProcess nats) throws Exception {
        this.backend = backend;
        this.daemonData = daemonData;
        this.daemon = backend == Backend.DAEMON ? ChannelDaemon.start(TestData.config().withDataDir(daemonData)
                .withPort(io.channelpush.channel.TestPorts.freePort()).withWarmup(Duration.ZERO)) : null; // restartable
        this.nats = nats;
        http.start();
        ws.setMaxTextMessageSize(4 << 20);
        ws.start();
    }

    /** Stops the daemon (nodes lose their bus). */
    void stopDaemon() {
        daemon.close();
    }

    /** Starts the daemon again on the same port and data folder (same epoch, offsets go on). */
    void restartDaemon() throws Exception {
        daemon = ChannelDaemon.start(TestData.config().withDataDir(daemonData).withPort(daemon.port())
                .withWarmup(Duration.ZERO));
    }

    /**
     * Starts a daemon again on the same port with an empty data folder: a new epoch, so the nodes' streams resume
     * with a gap (as after a restart without {@code --stream-dir}).
     */
    void restartDaemonEmpty() throws Exception {
        daemon = ChannelDaemon.start(TestData.config().withDataDir(TestData.freshDir()).withPort(daemon.port())
                .withWarmup(Duration.ZERO));
    }

    /** Clients only, for a test that runs its own NATS servers and starts nodes with {@link #natsNode}. */
    static PushFixture withoutBus() throws Exception {
        return new PushFixture(null, null, null);
    }

    /** Starts a node on the fixture's bus, waits until its bus subscriptions are in place. */
    Launcher node(String workerId, String... extraArgs) throws Exception {
        if (backend == null) {
            throw new IllegalStateException("this fixture has no bus of its own: use natsNode");
        }
        if (backend == Backend.NATS) {
            return natsNode(workerId, nats.url(), extraArgs);
        }
        Launcher l = start(workerId, List.of("--channel", "127.0.0.1:" + daemon.port()), extraArgs);
        int expected = nodes.size();
        awaitSubscribers(Channels.BROADCAST, expected);
        awaitSubscribers(Channels.worker(l.node().workerId()), 1);
        await(() -> l.node().health().workerIdHeld(), "node " + l.node().workerId() + " never held its worker id");
        return l;
    }

    /** Stops a node this fixture started (as an operator stops one) and forgets it. */
    void stop(Launcher node) throws Exception {
        node.close();
        nodes.remove(node);
    }

    /** Starts a node on the fixture's bus and waits only until it is connected (its worker id may be refused). */
    Launcher connectedNode(String workerId, String... extraArgs) throws Exception {
        Launcher l = start(workerId, backend == Backend.NATS ? List.of("--nats", nats.url())
                : List.of("--channel", "127.0.0.1:" + daemon.port()), extraArgs);
        await(() -> l.node().health().busConnected(), "node " + workerId + " never connected to its bus");
        return l;
    }

    /**
     * Starts a node on NATS servers ({@code nats://host:port[,...]}), waits until its bus is connected. Its
     * subscriptions are then registered on the server it is connected to: NatsBus flushes each one.
     */
    Launcher natsNode(String workerId, String servers, String... extraArgs) throws Exception {
        Launcher l = start(workerId, List.of("--nats", servers), extraArgs);
        await(() -> l.node().health().busConnected(), "node " + l.node().workerId() + " never connected to NATS " + servers);
        await(() -> l.node().health().workerIdHeld(), "node " + l.node().workerId() + " never held its worker id on NATS");
        return l;
    }

    private Launcher start(String workerId, List<String> busArgs, String... extraArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--ws-port", "0", "--http-port", "0"));
        args.addAll(busArgs);
        if (workerId != null) {
            args.addAll(List.of("--worker-id", workerId));
        }
        args.addAll(List.of(extraArgs));
        Launcher l = Launcher.start(LauncherOptions.parse(args.toArray(new String[0])));
        nodes.add(l);
        return l;
    }

    /** Opens a WebSocket to a node and reads its welcome line. */
    TestClient connect(Launcher node) throws Exception {
        TestClient c = new TestClient();
        ws.connect(c, URI.create("ws://127.0.0.1:" + node.port(0) + "/")).get(5, TimeUnit.SECONDS);
        clients.add(c);
        return c.awaitWelcome();
    }

    /**
     * Opens a WebSocket to {@code target} (path and query) on a node, with an {@code Authorization} header unless
     * it is null, and reads its welcome line.
     */
    TestClient connect(Launcher node, String target, String authorization) throws Exception {
        TestClient c = new TestClient();
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
        if (authorization != null) {
            upgrade.setHeader("Authorization", authorization);
        }
        ws.connect(c, URI.create("ws://127.0.0.1:" + node.port(0) + target), upgrade).get(5, TimeUnit.SECONDS);
        clients.add(c);
        return c.awaitWelcome();
    }

    /** GET on the publisher with a raw query string (already encoded). */
    ContentResponse get(Launcher node, String query) throws Exception {
        return http.newRequest("http://127.0.0.1:" + node.port(1) + "/?" + query)
                .timeout(10, TimeUnit.SECONDS).send();
    }

    /** GET of any path (starting with {@code /}) on a node's publisher port. */
    ContentResponse fetch(Launcher node, String path) throws Exception {
        return http.newRequest("http://127.0.0.1:" + node.port(1) + path).timeout(10, TimeUnit.SECONDS).send();
    }

    /** Form-encoded POST on the publisher. */
    ContentResponse post(Launcher node, Fields form) throws Exception {
        return http.POST("http://127.0.0.1:" + node.port(1) + "/")
                .body(new FormRequestContent(form, StandardCharsets.UTF_8))
                .timeout(10, TimeUnit.SECONDS).send();
    }

    /**
     * Waits until every node of {@code onEachNode}'s connections has delivered the broadcasts published before this
     * call: publishes a broadcast of its own through {@code publisher} and reads each connection up to it (a
     * node delivers a stream in order), then closes them. A test of a shared cluster calls it when it ends, so that a
     * broadcast of its own still on its way to a node cannot reach the next test's fresh connections there.
     *
     * @param onEachNode one fresh connection on each node of the cluster
     */
    void settleBroadcasts(Launcher publisher, TestClient... onEachNode) throws Exception {
        String fence = "fence-" + java.util.UUID.randomUUID();
        ContentResponse r = get(publisher, "content=" + fence);
        if (r.getStatus() != 200) {
            throw new AssertionError("the fence broadcast was refused: " + r.getContentAsString());
        }
        for (TestClient c : onEachNode) {
            // next() fails after 5 s without a message: the loop ends at the fence or fails
            while (!fence.equals(c.next())) {
                continue;
            }
            c.close();
        }
    }

    /** Sends a group command with an id and waits for its ack. */
    static void command(TestClient c, String json) throws InterruptedException {
        c.send(json);
        String reply = c.next();
        JsonObject o = JsonParser.parseString(reply).getAsJsonObject();
        if (!"ack".equals(o.get("type").getAsString())) {
            throw new AssertionError("expected an ack for " + json + ", got " + reply);
        }
    }

    /** Waits until the daemon reports {@code n} subscribers on a channel. */
    void awaitSubscribers(String channel, int n) throws Exception {
        awaitSubscribers(daemon.port(), channel, n, Duration.ofSeconds(10));
    }

    /** Waits until the daemon on 127.0.0.1:{@code port} reports {@code n} subscribers on a channel. */
    static void awaitSubscribers(int port, String channel, int n, Duration timeout) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            s.getOutputStream().write(Messages.hello("test-stats", null));
            FrameCodec.read(in, 1 << 20);
            await(() -> {
                try {
                    s.getOutputStream().write(Messages.simple(MessageType.STATS));
                    JsonObject stats = JsonParser.parseString(
                            new String(FrameCodec.read(in, 1 << 24), StandardCharsets.UTF_8)).getAsJsonObject();
                    var c = stats.getAsJsonObject("channels").get(channel);
                    return n == 0 ? c == null || c.getAsInt() == 0 : c != null && c.getAsInt() == n;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, timeout, "daemon never had " + n + " subscribers on " + channel);
        }
    }

    /** Waits for a condition, polling, for at most 10 s. */
    static void await(BooleanSupplier condition, String failure) {
        await(condition, Duration.ofSeconds(10), failure);
    }

    /** Waits for a condition, polling every 5 ms, for at most {@code timeout}. */
    static void await(BooleanSupplier condition, Duration timeout, String failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Override
    public void close() throws Exception {
        clients.forEach(TestClient::close);
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        ws.stop();
        http.stop();
        if (daemon != null) {
            daemon.close();
        }
        if (nats != null) {
            nats.close();
        }
    }
}
