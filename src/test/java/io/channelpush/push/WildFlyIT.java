package io.channelpush.push;

import io.channelpush.channel.TestData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.push.bus.Channels;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The WAR, unchanged, in a real WildFly 39 that the build provisions and starts around the integration tests
 * (pom.xml, wildfly-maven-plugin): the seed walk-through, health, metrics and JMX, then an undeploy that leaves
 * none of our threads behind and a redeploy that serves the walk-through again. The WAR's channel daemon is
 * started here, on the port the build reserved and gave WildFly; until then the WAR keeps reconnecting.
 * Skipped with {@code -Dskip.wildfly}.
 */
@DisabledIfSystemProperty(named = "test.channelpush.wildfly.skip", matches = "true", disabledReason = "-Dskip.wildfly")
@EnabledIfSystemProperty(named = "test.channelpush.wildfly.http.port", matches = "\\d+",
        disabledReason = "no WildFly started by the build: run it with mvn verify")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WildFlyIT {
    private static final String DEPLOYMENT = "channel-push.war";
    private static final String WORKER = "wildfly-1";
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);

    private static int httpPort;
    private static int daemonPort;
    private static WildFlyManagement management;
    private static ChannelDaemon daemon;
    private static HttpClient http;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        httpPort = Integer.getInteger("test.channelpush.wildfly.http.port");
        daemonPort = Integer.getInteger("test.channelpush.wildfly.daemon.port");
        management = new WildFlyManagement("127.0.0.1", Integer.getInteger("test.channelpush.wildfly.management.port"),
                System.getProperty("test.channelpush.wildfly.user"), System.getProperty("test.channelpush.wildfly.password"));
        http = new HttpClient();
        ws = new WebSocketClient(http);
        http.start();
        ws.start();

        assertEquals("OK", management.deploymentStatus(DEPLOYMENT), DEPLOYMENT + " did not deploy; see " + serverLog());
        ContentResponse notYet = get("/health/ready");
        assertEquals(503, notYet.getStatus(), "ready before the daemon runs: " + notYet.getContentAsString());
        daemon = ChannelDaemon.start(TestData.config().withPort(daemonPort).withWarmup(Duration.ZERO));
        awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        if (ws != null) {
            ws.stop();
            http.stop();
        }
        if (management != null) {
            management.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    @Order(1)
    void seedWalkThroughWorksInWildFly() throws Exception {
        walkThrough("hello");
    }

    @Test
    @Order(2)
    void healthMetricsAndJmxWorkInWildFly() throws Exception {
        ContentResponse ready = get("/health/ready");
        assertEquals(200, ready.getStatus(), ready.getContentAsString());
        assertEquals("application/json", ready.getMediaType());
        JsonObject body = JsonParser.parseString(ready.getContentAsString()).getAsJsonObject();
        assertEquals("UP", body.get("status").getAsString());
        assertEquals("connected", body.get("bus").getAsString());
        assertEquals(WORKER, body.get("worker").getAsString());
        assertEquals(200, get("/health/live").getStatus());

        publish("content=metrics-probe");
        ContentResponse metrics = get("/metrics");
        assertEquals(200, metrics.getStatus());
        assertTrue(metrics.getMediaType().startsWith("text/plain"), metrics.getMediaType());
        assertTrue(Pattern.compile("(?m)^channelpush_connections \\d").matcher(metrics.getContentAsString()).find(),
                metrics.getContentAsString());
        // WildFly loaded the WAR's ServletExtension: publishes are answered on the I/O thread
        assertTrue(Pattern.compile("(?m)^channelpush_publisher_requests_total\\{path=\"io_thread\"} [1-9]")
                .matcher(metrics.getContentAsString()).find(), metrics.getContentAsString());

        try (LocalJmx jmx = LocalJmx.attach(management.pid())) {
            ObjectName name = pushNodeMBean();
            assertTrue(jmx.server.isRegistered(name), name + " is not in WildFly's platform MBean server");
            assertEquals(WORKER, jmx.server.getAttribute(name, "WorkerId"));
            assertEquals(true, jmx.server.getAttribute(name, "Ready"));
        }
    }

    @Test
    @Order(2)
    void browserLibraryIsServedInWildFlyWhileTheDemoStaysOff() throws Exception {
        ContentResponse js = get("/channel-push.js");
        assertEquals(200, js.getStatus());
        assertTrue(js.getMediaType().endsWith("/javascript"), js.getMediaType());
        assertEquals("no-cache", js.getHeaders().get("Cache-Control"));
        assertEquals("nosniff", js.getHeaders().get("X-Content-Type-Options"));
        assertTrue(js.getContentAsString().contains("global.ChannelPush = ChannelPush;"));
        assertEquals(404, status("/demo/"), "the WAR's demo is off by default");
    }

    /** The README's two CLI commands for the seed's second port, run live through the management API. */
    @Test
    @Order(2)
    void theWarsOwnLimitsHoldInWildFly() throws Exception {
        // a frame declaring 5 MB, sent in part only: the node closes with 1009 past the default 64 KB limit
        try (RawWebSocket ws = new RawWebSocket(httpPort, 0)) {
            assertTrue(ws.read().text().startsWith("workerID:" + WORKER));
            Thread writer = new Thread(() -> {
                try {
                    ws.sendHeader(true, 0, 1, 5_000_000L);
                    for (int i = 0; i < 70; i++) {
                        ws.sendPayload(new byte[1024]);
                    }
                } catch (java.io.IOException e) {
                    // the node cut the connection while we were writing
                }
            }, "wildfly-raw-writer");
            writer.setDaemon(true);
            writer.start();
            assertEquals(1009, ws.readUntilClose().closeCode());
            writer.join(10_000);
        }
        String secret = "Authorization: Bearer do-not-echo\r\n";
        RawHttp.Response trace = RawHttp.send(httpPort, "TRACE", "/", secret);
        assertEquals(405, trace.status());
        assertFalse(trace.body().contains("do-not-echo"), "TRACE echoed a request header: " + trace.body());
        assertEquals(405, RawHttp.send(httpPort, "HEAD", "/?content=from-head", "").status());
        RawHttp.Response unknown = RawHttp.send(httpPort, "GET", "/?to_user=u1&content=x", "");
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().contains("to_user"), unknown.body());
    }

    @Test
    @Order(3)
    void aSecondListenerAddedLiveServesTheSameDeployment() throws Exception {
        int second = Integer.getInteger("test.channelpush.wildfly.second.port");
        JsonObject binding = new JsonObject();
        binding.addProperty("port", second);
        binding.addProperty("interface", "public");
        management.execute("add", List.of("socket-binding-group", "standard-sockets", "socket-binding", "ws"), binding);
        management.execute("add", List.of("subsystem", "undertow", "server", "default-server", "http-listener", "ws"),
                WildFlyManagement.param("socket-binding", "ws"));

        TestClient onSecond = new TestClient();
        ws.connect(onSecond, URI.create("ws://127.0.0.1:" + second + "/")).get(10, TimeUnit.SECONDS);
        onSecond.awaitWelcome();
        try {
            assertEquals(WORKER, onSecond.workerId);
            publish("content=across-ports");
            assertEquals("across-ports", onSecond.next());
            ContentResponse r = http.newRequest("http://127.0.0.1:" + second + "/?content=via-second")
                    .timeout(10, TimeUnit.SECONDS).send();
            assertEquals("ok", r.getContentAsString());
            assertEquals("via-second", onSecond.next());
        } finally {
            onSecond.close();
        }
        onSecond.awaitClose();
    }

    /** Near the end: it takes the WAR away for a while, and a failure in it should not fail the others. */
    @Test
    @Order(4)
    void undeployLeavesNoThreadOfOursAndTheRedeployedWarServesTheWalkThrough() throws Exception {
        TestClient open = connect();
        List<String> before = ourThreads(management.threadNames());
        assertTrue(before.stream().anyMatch(n -> n.startsWith("channel-client-")), "no reader thread: " + before);
        assertTrue(before.stream().anyMatch(n -> n.startsWith("channel-writer-")), "no writer thread: " + before);

        try (LocalJmx jmx = LocalJmx.attach(management.pid())) {
            assertTrue(jmx.server.isRegistered(pushNodeMBean()));
            management.undeploy(DEPLOYMENT);
            assertEquals(1001, open.awaitClose(), "an open socket is closed as going away");
            assertEquals(List.of(), ourThreads(management.threadNames()), "threads survived the undeploy");
            assertFalse(jmx.server.isRegistered(pushNodeMBean()), "the MBean survived the undeploy");
            PushFixture.awaitSubscribers(daemonPort, Channels.worker(WORKER), 0, Duration.ofSeconds(10));
            assertEquals(404, get("/health/ready").getStatus(), "still served after the undeploy");

            management.deploy(DEPLOYMENT);
            assertEquals("OK", management.deploymentStatus(DEPLOYMENT), "redeploy failed; see " + serverLog());
            awaitReady();
            assertTrue(jmx.server.isRegistered(pushNodeMBean()), "no MBean after the redeploy");
        }
        walkThrough("again");
    }

    /**
     * Connection tokens in WildFly: {@code channelpush.connection-keys} given as a server system property (the
     * management API, as an operator's CLI would), the WAR redeployed. A handshake without a token or with a token
     * of another key is refused with 401 and its reason; a valid one in the {@code Authorization} header or the
     * query connects as its user, which {@code to_uid} reaches. Removed and redeployed after: anonymous again.
     */
    @Test
    @Order(5)
    void connectionTokensAreVerifiedInWildFly() throws Exception {
        String key = "a-wildfly-connection-key-of-32-bytes!";
        management.addSystemProperty(PushConfig.CONNECTION_KEYS, "k1:" + key);
        try {
            redeploy();
            RawHttp.Response none = handshake("/");
            assertEquals(401, none.status(), none.toString());
            assertTrue(none.body().contains("connection token is required"), none.body());
            String foreign = ConnectionTokenTest.hs256("k1", "another-key-of-at-least-32-bytes!!",
                    ConnectionTokenTest.claims("wf-user").build());
            RawHttp.Response wrongKey = handshake("/?token=" + foreign);
            assertEquals(401, wrongKey.status(), wrongKey.toString());

            String token = ConnectionTokenTest.hs256("k1", key, ConnectionTokenTest.claims("wf-user").build());
            ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
            upgrade.setHeader("Authorization", "Bearer " + token);
            TestClient viaHeader = new TestClient();
            ws.connect(viaHeader, URI.create("ws://127.0.0.1:" + httpPort + "/"), upgrade).get(10, TimeUnit.SECONDS);
            viaHeader.awaitWelcome();
            TestClient viaQuery = new TestClient();
            ws.connect(viaQuery, URI.create("ws://127.0.0.1:" + httpPort + "/?token=" + token))
                    .get(10, TimeUnit.SECONDS);
            viaQuery.awaitWelcome();
            publish("to_uid=wf-user&content=for-the-user");
            assertEquals("for-the-user", viaHeader.next());
            assertEquals("for-the-user", viaQuery.next());
            viaHeader.close();
            viaQuery.close();
        } finally {
            management.removeSystemProperty(PushConfig.CONNECTION_KEYS);
            redeploy();
        }
        walkThrough("anonymous-again");
    }

    private static void redeploy() throws Exception {
        management.undeploy(DEPLOYMENT);
        management.deploy(DEPLOYMENT);
        assertEquals("OK", management.deploymentStatus(DEPLOYMENT), "redeploy failed; see " + serverLog());
        awaitReady();
    }

    private static RawHttp.Response handshake(String target) throws Exception {
        return RawHttp.exchange(httpPort, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + httpPort
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
    }

    /**
     * Two clients with distinct welcome lines; a broadcast to both; a push to one; a group joined over the socket
     * reached from a client and from the publisher, and not reaching the non-member.
     */
    private static void walkThrough(String word) throws Exception {
        TestClient a = connect();
        TestClient b = connect();
        try {
            assertEquals("workerID:" + WORKER + " connectionID:" + a.connectionId + " connected\n", a.welcome);
            assertEquals(WORKER, b.workerId);
            assertNotEquals(a.connectionId, b.connectionId);

            publish("content=" + word);
            assertEquals(word, a.next());
            assertEquals(word, b.next());

            publish("to_worker_id=" + WORKER + "&to_connection_id=" + b.connectionId + "&content=just-b");
            assertEquals("just-b", b.next());
            publish("content=marker-1");
            assertEquals("marker-1", a.next(), "the push to b reached a");
            assertEquals("marker-1", b.next());

            PushFixture.command(a, "{\"cmd\":\"add_group\",\"group_id\":\"123\",\"id\":1}");
            b.send("{\"cmd\":\"send_to_group\",\"group_id\":\"123\",\"message\":\"hi all\"}");
            assertEquals("hi all", a.next());
            publish("group_id=123&content=to-the-group");
            assertEquals("to-the-group", a.next());
            publish("content=marker-2");
            assertEquals("marker-2", b.next(), "a group message reached the non-member");
            assertEquals("marker-2", a.next());
        } finally {
            a.close();
            b.close();
        }
        a.awaitClose();
        b.awaitClose();
    }

    private static void awaitReady() throws Exception {
        PushFixture.await(() -> status("/health/ready") == 200, READY_WITHIN,
                "/health/ready not 200 within " + READY_WITHIN.toSeconds() + " s; see " + serverLog());
        PushFixture.awaitSubscribers(daemonPort, Channels.worker(WORKER), 1, Duration.ofSeconds(10));
    }

    private static List<String> ourThreads(List<String> names) {
        return names.stream()
                .filter(n -> n.startsWith("channel-client-") || n.startsWith("channel-writer-") || n.contains(WORKER))
                .toList();
    }

    private static ObjectName pushNodeMBean() throws Exception {
        return new ObjectName("io.channelpush:type=PushNode,worker=\"" + WORKER + "\"");
    }

    private static TestClient connect() throws Exception {
        TestClient c = new TestClient();
        ws.connect(c, URI.create("ws://127.0.0.1:" + httpPort + "/")).get(10, TimeUnit.SECONDS);
        return c.awaitWelcome();
    }

    /** GET on the publisher with a query string already encoded; asserts "ok". */
    private static void publish(String query) throws Exception {
        ContentResponse r = get("/?" + query);
        assertEquals(200, r.getStatus(), query + ": " + r.getContentAsString());
        assertEquals("ok", r.getContentAsString());
    }

    private static ContentResponse get(String pathAndQuery) throws Exception {
        return http.newRequest("http://127.0.0.1:" + httpPort + pathAndQuery).timeout(10, TimeUnit.SECONDS).send();
    }

    private static int status(String path) {
        try {
            return get(path).getStatus();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Path serverLog() {
        return Path.of(System.getProperty("test.channelpush.wildfly.home", "target/wildfly"), "standalone", "log", "server.log");
    }
}
