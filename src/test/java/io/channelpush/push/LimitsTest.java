package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each limit hit once, with its documented answer, while the node keeps serving others. */
class LimitsTest {
    private static PushFixture fx;
    private static Launcher node;
    private static Launcher strict;
    private static TestClient bystander;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("limits", "--set", "channelpush.max-connections=6",
                "--set", "channelpush.max-client-message-bytes=1024",
                "--set", "channelpush.max-groups-per-connection=2",
                "--set", "channelpush.max-commands-per-second=20",
                "--set", "channelpush.ping-interval-seconds=1");
        strict = fx.node("strict-origin", "--set", "channelpush.allowed-origins=https://*.example.com,http://localhost:8080",
                "--set", "channelpush.allow-missing-origin=false");
        bystander = fx.connect(node);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** The node still delivers to an unrelated client. */
    private static void othersStillServed() throws Exception {
        String marker = "alive-" + System.nanoTime();
        assertEquals("ok", fx.get(node, "content=" + marker).getContentAsString());
        String m;
        do {
            m = bystander.next();
        } while (!m.equals(marker));
    }

    private static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    @Test
    void connectionsBeyondTheNodeLimitAreRefusedAtTheHandshakeWith503() throws Exception {
        PushFixture.await(() -> node.node().connectionCount() <= 2, "leftover connections");
        int room = 6 - node.node().connectionCount();
        TestClient[] held = new TestClient[room];
        for (int i = 0; i < room; i++) {
            held[i] = fx.connect(node);
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> fx.ws.connect(new TestClient(),
                URI.create("ws://127.0.0.1:" + node.port(0) + "/")).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof UpgradeException u && u.getResponseStatusCode() == 503, e.toString());
        othersStillServed();
        for (TestClient c : held) {
            c.close();
            c.awaitClose();
        }
        PushFixture.await(() -> node.node().connectionCount() == 1, "closed connections still counted");
    }

    @Test
    void oversizedClientMessageClosesWith1009() throws Exception {
        TestClient c = fx.connect(node);
        c.send("{\"cmd\":\"add_group\",\"group_id\":\"" + "x".repeat(2_000) + "\"}");
        assertEquals(1009, c.awaitClose());
        othersStillServed();
    }

    @Test
    void groupsPerConnectionAndGroupIdLengthGetJsonErrors() throws Exception {
        TestClient c = fx.connect(node);
        PushFixture.command(c, "{\"cmd\":\"add_group\",\"group_id\":\"g1\",\"id\":1}");
        PushFixture.command(c, "{\"cmd\":\"add_group\",\"group_id\":\"g2\",\"id\":2}");
        c.send("{\"cmd\":\"add_group\",\"group_id\":\"g3\",\"id\":3}");
        assertEquals("too_many_groups", json(c.next()).get("code").getAsString());
        c.send("{\"cmd\":\"add_group\",\"group_id\":\"" + "g".repeat(129) + "\",\"id\":4}");
        assertEquals("bad_group_id", json(c.next()).get("code").getAsString());
        PushFixture.command(c, "{\"cmd\":\"leave_group\",\"group_id\":\"g1\",\"id\":5}");
        assertTrue(c.isOpen());
        othersStillServed();
        c.close();
    }

    @Test
    void floodingClientGetsAnErrorThenIsClosedWith1008() throws Exception {
        TestClient c = fx.connect(node);
        for (int i = 0; i < 100; i++) {
            c.send("{\"cmd\":\"leave_group\",\"group_id\":\"nothing\"}");
        }
        String first = c.next();
        assertEquals("rate_limited", json(first).get("code").getAsString(), first);
        assertEquals(1008, c.awaitClose());
        othersStillServed();
    }

    @Test
    void clientThatDoesNotAnswerPingsIsClosed() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(node.port(0), 0)) {
            RawWebSocket.Frame welcome = raw.read();
            assertTrue(welcome.text().startsWith("workerID:limits"), welcome.text());
            long start = System.nanoTime();
            RawWebSocket.Frame close = raw.readUntilClose();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertEquals(1001, close.closeCode());
            assertTrue(seconds <= 5, "closed after " + seconds + " s");
        }
        othersStillServed();
        // A Jetty client answers pings: it stays connected across several intervals.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3_500);
        while (System.nanoTime() < until) {
            othersStillServed();
        }
        assertTrue(bystander.isOpen());
    }

    @Test
    void originOutsideTheAllowlistIsRefusedWith403AndOneInsideIsAccepted() throws Exception {
        assertEquals(403, upgradeStatus("https://evil.example.org"));
        assertEquals(403, upgradeStatus(null));
        TestClient ok = new TestClient();
        ClientUpgradeRequest req = new ClientUpgradeRequest();
        req.setHeader("Origin", "https://app.example.com");
        fx.ws.connect(ok, URI.create("ws://127.0.0.1:" + strict.port(0) + "/"), req).get(5, TimeUnit.SECONDS);
        assertTrue(ok.awaitWelcome().workerId.equals("strict-origin"));
        ok.close();
    }

    private static int upgradeStatus(String origin) throws Exception {
        ClientUpgradeRequest req = new ClientUpgradeRequest();
        if (origin != null) {
            req.setHeader("Origin", origin);
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> fx.ws.connect(new TestClient(),
                URI.create("ws://127.0.0.1:" + strict.port(0) + "/"), req).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof UpgradeException, e.toString());
        return ((UpgradeException) e.getCause()).getResponseStatusCode();
    }
}
