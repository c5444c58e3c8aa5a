package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Item 8, daemon side: a claimed channel has one live claimant; a second is refused until the first goes away. */
class ClaimTest {
    private ChannelDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = ChannelDaemon.start(TestData.config().withPort(0).withWarmup(Duration.ZERO));
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    @Test
    void onTheWireASecondClaimIsRefusedWithoutClosingAndTheClaimIsReleasedWithItsConnection() throws Exception {
        try (RawClient first = RawClient.hello(daemon.port());
             RawClient second = RawClient.hello(daemon.port());
             RawClient publisher = RawClient.hello(daemon.port())) {
            first.sendJson("{\"type\":\"claim\",\"channel\":\"worker-1\"}");
            JsonObject granted = first.read();
            assertEquals("claimed", granted.get("type").getAsString());
            assertEquals("worker-1", granted.get("channel").getAsString());

            second.sendJson("{\"type\":\"claim\",\"channel\":\"worker-1\"}");
            JsonObject refused = second.read();
            assertEquals("name_claimed", refused.get("code").getAsString());
            assertEquals("worker-1", refused.get("channel").getAsString());
            assertTrue(refused.get("message").getAsString().contains("raw-test from /127.0.0.1:"), refused.toString());

            publisher.sendJson("{\"type\":\"publish\",\"channels\":[\"worker-1\"],\"data\":\"one\"}");
            assertEquals("one", first.read().get("data").getAsString());
            second.sendJson("{\"type\":\"ping\"}");
            assertEquals("pong", second.read().get("type").getAsString(), "refused, not closed, and not subscribed");

            // the same connection claiming again keeps it; unsubscribing gives it up
            first.sendJson("{\"type\":\"claim\",\"channel\":\"worker-1\"}");
            assertEquals("claimed", first.read().get("type").getAsString());
            first.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            JsonObject answer;
            do {
                second.sendJson("{\"type\":\"claim\",\"channel\":\"worker-1\"}");
                answer = second.read();
            } while (!"claimed".equals(answer.get("type").getAsString()) && System.nanoTime() < deadline);
            assertEquals("claimed", answer.get("type").getAsString(), "released when the holder's connection closed");
        }
    }

    @Test
    void clientsClaimingTheSameChannelNeverBothReceiveAndTheSecondTakesOverWhenTheFirstCloses() throws Exception {
        LinkedBlockingQueue<String> states = new LinkedBlockingQueue<>();
        Recorder firstGot = new Recorder();
        Recorder secondGot = new Recorder();
        ChannelClient first = ChannelClient.start(options("node-a"), listener("a", states));
        first.claim("w", firstGot);
        assertEquals("a:true", states.poll(10, TimeUnit.SECONDS));
        try (ChannelClient second = ChannelClient.start(options("node-b"), listener("b", states));
             ChannelClient publisher = ChannelClient.start(options("pub"))) {
            second.claim("w", secondGot);
            String refusal = states.poll(10, TimeUnit.SECONDS);
            assertTrue(refusal.startsWith("b:false:") && refusal.contains("node-a"), refusal);
            assertTrue(first.holdsClaim("w"));
            assertFalse(second.holdsClaim("w"));
            // a plain subscriber (an older client) is not affected by claims
            Recorder plain = new Recorder();
            publisher.on("w", plain);
            assertTrue(publisher.awaitConnected(Duration.ofSeconds(5)));
            PushUntilReceived.publish(publisher, "w", plain);
            for (int i = 1; i <= 20; i++) {
                publisher.publish("w", new JsonPrimitive(i));
            }
            for (int i = 1; i <= 20; i++) {
                int got;
                do {
                    got = firstGot.next(5_000).getAsInt();
                } while (got < 0); // the probes of PushUntilReceived
                assertEquals(i, got);
            }
            assertNull(secondGot.next(300), "the refused client must receive nothing on the claimed channel");
            assertNull(states.poll(3, TimeUnit.SECONDS), "repeated refusals are not reported again");

            first.close();
            assertEquals("b:true", states.poll(10, TimeUnit.SECONDS), "the second takes over once the first is gone");
            publisher.publish("w", new JsonPrimitive(99));
            assertEquals(99, secondGot.next(5_000).getAsInt());
        } finally {
            first.close();
        }
    }

    private ClientOptions options(String name) {
        return ClientOptions.of("127.0.0.1", daemon.port()).withClientName(name)
                .withReconnect(Duration.ofMillis(50), Duration.ofMillis(200));
    }

    private static ChannelClient.Listener listener(String who, LinkedBlockingQueue<String> states) {
        return new ChannelClient.Listener() {
            @Override
            public void onClaim(String channel, boolean held, String message) {
                states.add(who + ":" + held + (held ? "" : ":" + message));
            }
        };
    }

    /** Publishes negative probes until a subscriber got one: its subscription is then in place. */
    private static final class PushUntilReceived {
        static void publish(ChannelClient publisher, String channel, Recorder r) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int probe = -1; System.nanoTime() < deadline; probe--) {
                publisher.publish(channel, new JsonPrimitive(probe));
                var got = r.next(100);
                if (got != null && got.getAsInt() < 0) {
                    return;
                }
            }
            throw new AssertionError("subscription to " + channel + " never took effect");
        }
    }
}
