package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import io.channelpush.push.bus.Channels;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A JSON client that connects before anything was published on a node that has delivered nothing yet still gets
 * positions: the welcome carries the broadcast stream's head and {@code add_group}'s ack the group stream's head,
 * where the node's subscription of each started (the daemon's {@code resumed}; JetStream's last sequence). So a
 * client that received nothing, went away and came back recovers everything published meanwhile, once each, on
 * either bus.
 */
class FreshClientRecoveryTest {
    private static final int N = 25;

    @ParameterizedTest(name = "on {0}")
    @EnumSource(PushFixture.Backend.class)
    void aClientWelcomedBeforeAnyMessageRecoversEverythingPublishedWhileItWasAway(PushFixture.Backend backend)
            throws Exception {
        try (PushFixture fx = new PushFixture(backend)) {
            Launcher node = fx.node("fresh-1");
            // the bus answers the node's stream subscriptions asynchronously (the daemon's resumed, JetStream's info)
            PushFixture.await(() -> node.node().lastDelivered(Channels.BROADCAST) != null
                    && node.node().lastDelivered(Channels.GROUPS) != null, "the bus never told the node its heads");
            TestClient first = connectJson(fx, node);
            JsonObject welcome = json(first.next());
            assertEquals("welcome", welcome.get("type").getAsString());
            assertTrue(welcome.has("streams"), "the welcome of a node that delivered nothing yet carries the "
                    + "broadcast stream's head: " + welcome);
            JsonObject broadcastAt = welcome.getAsJsonObject("streams").getAsJsonObject("broadcast");
            assertNotNull(broadcastAt, "no broadcast position in " + welcome);

            first.send("{\"cmd\":\"add_group\",\"id\":1,\"group_id\":\"room\"}");
            JsonObject ack = json(first.next());
            assertEquals("ack", ack.get("type").getAsString(), "add_group answered " + ack);
            assertTrue(ack.has("streams"), "add_group's ack carries the group stream's head: " + ack);
            JsonObject groupAt = ack.getAsJsonObject("streams").getAsJsonObject("group:room");
            assertNotNull(groupAt, "no group:room position in " + ack);

            first.expectNothing(200);
            first.close();
            first.awaitClose();

            for (int i = 1; i <= N; i++) {
                assertOk(fx.get(node, "content=b" + i));
                assertOk(fx.get(node, "group_id=room&content=g" + i));
            }

            TestClient again = connectJson(fx, node);
            assertEquals("welcome", json(again.next()).get("type").getAsString());
            again.send("{\"cmd\":\"recover\",\"id\":2,\"streams\":{\"broadcast\":" + broadcastAt
                    + ",\"group:room\":" + groupAt + "}}");
            List<String> broadcasts = new ArrayList<>();
            List<String> groupMessages = new ArrayList<>();
            JsonObject recovered = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (recovered == null && System.nanoTime() < deadline) {
                JsonObject m = json(again.next());
                switch (m.get("type").getAsString()) {
                    case "message" -> (m.get("stream").getAsString().equals("broadcast") ? broadcasts : groupMessages)
                            .add(m.get("content").getAsString());
                    case "recovered" -> recovered = m;
                    default -> throw new AssertionError("unexpected frame during the recover: " + m);
                }
            }
            assertNotNull(recovered, "no recovered answer within 20 s");
            assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"broadcast\":true,\"group:room\":true},"
                    + "\"id\":2}"), recovered);
            assertEquals(IntStream.rangeClosed(1, N).mapToObj(i -> "b" + i).toList(), broadcasts,
                    "every broadcast published while away, once each, in order");
            assertEquals(IntStream.rangeClosed(1, N).mapToObj(i -> "g" + i).toList(), groupMessages,
                    "every group message published while away, once each, in order");
            again.expectNothing(200);
        }
    }

    private static TestClient connectJson(PushFixture fx, Launcher node) throws Exception {
        TestClient c = new TestClient();
        fx.ws.connect(c, URI.create("ws://127.0.0.1:" + node.port(0) + "/?format=json")).get(5, TimeUnit.SECONDS);
        return c;
    }

    private static void assertOk(ContentResponse r) {
        assertEquals(200, r.getStatus(), r.getContentAsString());
        assertEquals("ok", r.getContentAsString());
    }

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }
}
