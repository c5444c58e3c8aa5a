package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.launcher.Launcher;
import io.channelpush.push.bus.BusCodec;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.presence.Presence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Presence on one real node (channel daemon, default settings) next to a "ghost" member: a bus client that sends
 * heartbeats like a node but never answers questions, as a node cut off halfway would. Anonymous connections in
 * group answers, the in-flight bound's 503, a clean departure, and the timeout.
 */
class PresenceNodeTest {
    private static PushFixture fx;
    private static Launcher node;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node(null);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static JsonObject json(String query) throws Exception {
        ContentResponse r = fx.get(node, query);
        assertEquals(200, r.getStatus(), r.getContentAsString());
        return JsonParser.parseString(r.getContentAsString()).getAsJsonObject();
    }

    @Test
    void groupMembersCountAnonymousConnectionsAndListBoundUsers() throws Exception {
        TestClient anon1 = fx.connect(node);
        TestClient anon2 = fx.connect(node);
        TestClient bound = fx.connect(node);
        for (TestClient c : List.of(anon1, anon2, bound)) {
            PushFixture.command(c, "{\"cmd\":\"add_group\",\"group_id\":\"room-anon\",\"id\":1}");
        }
        assertEquals("ok", fx.get(node, "bind_uid=zed&to_worker_id=" + bound.workerId + "&to_connection_id="
                + bound.connectionId).getContentAsString());
        PushFixture.await(() -> !node.node().users().connections("zed").isEmpty(), "bind never applied");
        JsonObject o = json("group_members=room-anon");
        assertEquals(2, o.get("anonymous").getAsInt());
        assertEquals("zed", o.getAsJsonArray("members").get(0).getAsJsonObject().get("uid").getAsString());
        assertEquals(1, o.getAsJsonArray("members").size());
        assertFalse(o.has("next"));
        assertEquals(List.of("room-anon"), List.of(json("user_groups=zed").getAsJsonArray("groups").get(0).getAsString()));
        anon1.close();
        anon2.close();
        bound.close();
    }

    @Test
    void aMemberThatNeverAnswersMakesAnswersPartialTheSeventeenthWaitingQueryIs503AndItsDepartureEndsIt()
            throws Exception {
        ChannelClient ghost = ChannelClient.start(ClientOptions.parse("127.0.0.1:" + fx.daemon.port())
                .withClientName("ghost"));
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        try {
            assertTrue(ghost.awaitConnected(Duration.ofSeconds(10)));
            beats.scheduleAtFixedRate(() -> ghost.publish(Channels.NODES,
                    BusCodec.encode(new BusMessage.NodeBeat("ghost", false))), 0, 200, TimeUnit.MILLISECONDS);
            PushFixture.await(() -> node.node().presence().members().contains("ghost"), "the ghost never counted");
            JsonObject partial = json("presence=1");
            assertTrue(partial.get("partial").getAsBoolean());
            assertEquals("ghost", partial.getAsJsonArray("missing").get(0).getAsString());
            assertEquals(1, partial.get("nodes").getAsInt());

            int asked = Presence.MAX_QUERIES_IN_FLIGHT + 8;
            java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(asked);
            List<java.util.concurrent.Future<ContentResponse>> all = new ArrayList<>();
            try {
                for (int i = 0; i < asked; i++) {
                    all.add(pool.submit(() -> fx.get(node, "presence=1")));
                }
                for (var f : all) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            int refused = 0;
            int answered = 0;
            for (var f : all) {
                ContentResponse r = f.get(30, TimeUnit.SECONDS);
                if (r.getStatus() == 503) {
                    refused++;
                    assertEquals("1", r.getHeaders().get("Retry-After"));
                } else {
                    assertEquals(200, r.getStatus());
                    answered++;
                }
            }
            assertTrue(refused >= 8, refused + " refused, " + answered + " answered");
            assertTrue(answered >= 1 && answered <= Presence.MAX_QUERIES_IN_FLIGHT, answered + " answered");

            beats.shutdownNow();
            assertTrue(beats.awaitTermination(5, TimeUnit.SECONDS));
            ghost.publish(Channels.NODES, BusCodec.encode(new BusMessage.NodeBeat("ghost", true)));
            PushFixture.await(() -> !node.node().presence().members().contains("ghost"), Duration.ofSeconds(2),
                    "the ghost's departure was not heard at once");
            assertFalse(json("presence=1").get("partial").getAsBoolean());
        } finally {
            beats.shutdownNow();
            ghost.close();
        }
    }

    @Test
    void aMemberThatFallsSilentStopsCountingWithinTheTimeout() throws Exception {
        try (ChannelClient ghost = ChannelClient.start(ClientOptions.parse("127.0.0.1:" + fx.daemon.port())
                .withClientName("silent"))) {
            assertTrue(ghost.awaitConnected(Duration.ofSeconds(10)));
            ghost.publish(Channels.NODES, BusCodec.encode(new BusMessage.NodeBeat("silent", false)));
            PushFixture.await(() -> node.node().presence().members().contains("silent"), "the member never counted");
            long heard = System.nanoTime();
            PushFixture.await(() -> !node.node().presence().members().contains("silent"), Duration.ofSeconds(10),
                    "the silent member still counts");
            long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heard);
            assertTrue(after >= 2_500 && after <= 6_000, "stopped counting after " + after + " ms (timeout 3,000)");
        }
    }
}
