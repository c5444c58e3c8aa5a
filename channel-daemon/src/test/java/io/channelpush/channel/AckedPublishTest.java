package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.client.OutcomeUnknownException;
import io.channelpush.channel.client.StreamOffset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Acknowledged publishes against a scripted daemon: each way a publish can end, exactly. */
class AckedPublishTest {
    private static final Duration LONG = Duration.ofSeconds(10);

    static byte[] json(String s) {
        return ("\"" + s + "\"").getBytes(StandardCharsets.UTF_8);
    }

    static ClientOptions options(FakeDaemon d) {
        return ClientOptions.of("127.0.0.1", d.port()).withReconnect(Duration.ofMillis(10), Duration.ofMillis(50));
    }

    /** The failure of a future that must fail within 5 s. */
    static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("future completed normally");
    }

    @Test
    void pipelinedPublishesCompleteWithTheirOffsetsInOrderWhenTheAcksArrive() throws Exception {
        try (FakeDaemon d = new FakeDaemon(); ChannelClient c = ChannelClient.start(options(d))) {
            FakeDaemon.Conn conn = d.acceptV2("e1");
            assertTrue(c.awaitConnected(Duration.ofSeconds(5)));
            List<CompletableFuture<StreamOffset>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                futures.add(c.publishAcked(i % 2 == 0 ? "b" : "w:x", json("m" + i), LONG));
            }
            // all 100 reach the daemon before it answers any: acknowledgements are pipelined
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                JsonObject p = conn.read("publish");
                assertEquals("m" + i, p.get("data").getAsString());
                ids.add(p.get("id").getAsLong());
            }
            assertEquals(100, c.pendingAcks());
            assertTrue(futures.stream().noneMatch(CompletableFuture::isDone));
            for (int i = 0; i < 100; i++) {
                String offsets = i % 2 == 0 ? "{\"b\":" + (i / 2 + 1) + "}" : "{}";
                // every third in another spelling, which the full parser reads
                String sep = i % 3 == 0 ? ", " : ",";
                conn.send("{\"type\":\"ack\"" + sep + "\"id\":" + ids.get(i) + sep + "\"offsets\":" + offsets + "}");
            }
            for (int i = 0; i < 100; i++) {
                StreamOffset o = futures.get(i).get(5, TimeUnit.SECONDS);
                if (i % 2 == 0) {
                    assertEquals(new StreamOffset("e1", i / 2 + 1), o);
                } else {
                    assertNull(o, "a channel that is not a stream has no offset");
                }
            }
            assertEquals(0, c.pendingAcks());
        }
    }

    @Test
    void anErrorWithThePublishIdFailsItAsNotTaken() throws Exception {
        try (FakeDaemon d = new FakeDaemon(); ChannelClient c = ChannelClient.start(options(d))) {
            FakeDaemon.Conn conn = d.acceptV2("e1");
            CompletableFuture<StreamOffset> f = c.publishAcked("b", json("x"), LONG);
            long id = conn.read("publish").get("id").getAsLong();
            conn.send("{\"type\":\"error\",\"code\":\"storage_failed\",\"message\":\"disk full\",\"id\":" + id + "}");
            Throwable t = failure(f);
            assertInstanceOf(ChannelUnavailableException.class, t);
            assertTrue(t.getMessage().contains("storage_failed") && t.getMessage().contains("not taken"),
                    t.getMessage());
        }
    }

    @Test
    void aPublishStillUnsentAtItsTimeoutIsNotTakenAndNeverWrittenAfterwards() throws Exception {
        try (FakeDaemon d = new FakeDaemon(); ChannelClient c = ChannelClient.start(options(d))) {
            FakeDaemon.Conn conn = d.accept();
            conn.read("hello"); // and no welcome yet: the client cannot write the publish
            CompletableFuture<StreamOffset> withdrawn = c.publishAcked("b", json("withdrawn"), Duration.ofMillis(200));
            Throwable t = failure(withdrawn);
            assertInstanceOf(ChannelUnavailableException.class, t);
            assertTrue(t.getMessage().contains("not sent within 200 ms"), t.getMessage());
            assertEquals(0, c.bufferedBytes(), "a withdrawn publish gives its room back");

            conn.send("{\"type\":\"welcome\",\"protocol\":2,\"server\":\"fake\",\"epoch\":\"e1\"}");
            CompletableFuture<StreamOffset> next = c.publishAcked("b", json("next"), LONG);
            JsonObject first = conn.read("publish");
            assertEquals("next", first.get("data").getAsString(), "the withdrawn publish was written after all");
            conn.send("{\"type\":\"ack\",\"id\":" + first.get("id").getAsLong() + ",\"offsets\":{\"b\":1}}");
            assertEquals(new StreamOffset("e1", 1), next.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPublishWrittenToAConnectionThatDiesHasAnUnknownOutcomeAndIsNotSentAgain() throws Exception {
        try (FakeDaemon d = new FakeDaemon(); ChannelClient c = ChannelClient.start(options(d))) {
            FakeDaemon.Conn conn = d.acceptV2("e1");
            CompletableFuture<StreamOffset> f = c.publishAcked("b", json("lost"), LONG);
            assertEquals("lost", conn.read("publish").get("data").getAsString());
            conn.close();
            Throwable t = failure(f);
            assertInstanceOf(OutcomeUnknownException.class, t);
            assertTrue(t.getMessage().contains("may still be delivered"), t.getMessage());

            FakeDaemon.Conn again = d.acceptV2("e1");
            c.publishAcked("b", json("after"), LONG);
            assertEquals("after", again.read("publish").get("data").getAsString(),
                    "a publish of unknown outcome was sent again: it could be delivered twice");
        }
    }

    @Test
    void aPublishWrittenButNotAcknowledgedByItsTimeoutHasAnUnknownOutcome() throws Exception {
        try (FakeDaemon d = new FakeDaemon(); ChannelClient c = ChannelClient.start(options(d))) {
            FakeDaemon.Conn conn = d.acceptV2("e1");
            CompletableFuture<StreamOffset> f = c.publishAcked("b", json("slow"), Duration.ofMillis(300));
            long id = conn.read("publish").get("id").getAsLong();
            Throwable t = failure(f);
            assertInstanceOf(OutcomeUnknownException.class, t);
            assertTrue(t.getMessage().contains("not acknowledged within 300 ms"), t.getMessage());
            // a late ack changes nothing and is ignored
            conn.send("{\"type\":\"ack\",\"id\":" + id + ",\"offsets\":{\"b\":1}}");
            CompletableFuture<StreamOffset> g = c.publishAcked("b", json("next"), LONG);
            conn.send("{\"type\":\"ack\",\"id\":" + conn.read("publish").get("id").getAsLong()
                    + ",\"offsets\":{\"b\":2}}");
            assertEquals(new StreamOffset("e1", 2), g.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void publishesBeyondThePendingBoundsAreRefusedAtOnceByName() throws Exception {
        ClientOptions.RequestLimits limits = new ClientOptions.RequestLimits(3, 100, 2, Duration.ofSeconds(5));
        try (FakeDaemon d = new FakeDaemon();
             ChannelClient c = ChannelClient.start(options(d).withRequests(limits))) {
            d.acceptV2("e1");
            List<CompletableFuture<StreamOffset>> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(c.publishAcked("b", json("p" + i), LONG));
            }
            Throwable count = failure(c.publishAcked("b", json("p3"), LONG));
            assertInstanceOf(ChannelUnavailableException.class, count);
            assertTrue(count.getMessage().contains("3 publishes awaiting acknowledgement"), count.getMessage());
            assertTrue(held.stream().noneMatch(CompletableFuture::isDone));
        }
        try (FakeDaemon d = new FakeDaemon();
             ChannelClient c = ChannelClient.start(options(d).withRequests(limits))) {
            d.acceptV2("e1");
            c.publishAcked("b", new byte[60], LONG);
            Throwable bytes = failure(c.publishAcked("b", new byte[60], LONG));
            assertTrue(bytes.getMessage().contains("100 bytes of publishes awaiting acknowledgement"),
                    bytes.getMessage());
        }
    }

    @Test
    void againstAProtocol1DaemonTheClientFallsBackAndAcknowledgedPublishesAreRefusedWithTheUpgradeToDo()
            throws Exception {
        try (FakeDaemon d = new FakeDaemon(); ChannelClient c = ChannelClient.start(options(d))) {
            FakeDaemon.Conn v2 = d.accept();
            assertEquals(2, v2.read("hello").get("protocol").getAsInt());
            CompletableFuture<StreamOffset> early = c.publishAcked("b", json("early"), LONG);
            v2.send("{\"type\":\"error\",\"code\":\"unsupported_protocol\",\"message\":\"protocol 1 only\"}");
            v2.close();
            FakeDaemon.Conn v1 = d.accept();
            assertEquals(1, v1.read("hello").get("protocol").getAsInt());
            v1.send("{\"type\":\"welcome\",\"protocol\":1,\"server\":\"old\"}");
            assertTrue(c.awaitConnected(Duration.ofSeconds(5)));

            for (Throwable t : List.of(failure(early), failure(c.publishAcked("b", json("late"), LONG)))) {
                assertInstanceOf(ChannelUnavailableException.class, t);
                assertTrue(t.getMessage().contains("upgrade the channel daemon"), t.getMessage());
            }
            c.publish("b", json("plain"));
            JsonObject first = v1.read("publish");
            assertEquals("plain", first.get("data").getAsString(), "a refused publish reached the old daemon");
            assertFalse(first.has("id"));
        }
    }

    @Test
    void closingTheClientFailsAWrittenPublishAsUnknownAndAnUnsentOneAsNotTaken() throws Exception {
        try (FakeDaemon d = new FakeDaemon()) {
            ChannelClient c = ChannelClient.start(options(d));
            FakeDaemon.Conn conn = d.acceptV2("e1");
            CompletableFuture<StreamOffset> written = c.publishAcked("b", json("w"), LONG);
            conn.read("publish");
            c.close();
            assertInstanceOf(OutcomeUnknownException.class, failure(written));
            assertInstanceOf(ChannelUnavailableException.class, failure(c.publishAcked("b", json("x"), LONG)));
        }
        try (FakeDaemon d = new FakeDaemon()) {
            ChannelClient c = ChannelClient.start(options(d));
            d.accept().read("hello"); // never welcomed: nothing is written
            CompletableFuture<StreamOffset> unsent = c.publishAcked("b", json("u"), LONG);
            c.close();
            assertInstanceOf(ChannelUnavailableException.class, failure(unsent));
        }
    }
}
