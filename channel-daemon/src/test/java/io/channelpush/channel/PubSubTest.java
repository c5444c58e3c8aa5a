package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PubSubTest {
    private ChannelDaemon daemon;
    private ChannelClient a;
    private ChannelClient b;
    private ChannelClient c;

    @BeforeEach
    void start() throws Exception {
        daemon = ChannelDaemon.start(TestData.config().withPort(0).withWarmup(Duration.ZERO));
        a = connected("a");
        b = connected("b");
        c = connected("c");
    }

    @AfterEach
    void stop() {
        for (AutoCloseable x : new AutoCloseable[] {a, b, c, daemon}) {
            try {
                x.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private ChannelClient connected(String name) throws InterruptedException {
        ChannelClient client = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withClientName(name));
        assertTrue(client.awaitConnected(Duration.ofSeconds(5)), name + " did not connect");
        return client;
    }

    private int markers;

    /**
     * Subscriptions travel through the same ordered stream as publishes: a client's own marker coming back proves
     * its subscription landed. Waits for the marker at every given recorder (all subscribed to the channel) and
     * drops everything they got up to it.
     */
    private void sync(ChannelClient client, String channel, Recorder... subscribed) throws InterruptedException {
        JsonPrimitive marker = new JsonPrimitive("sync-" + (++markers));
        client.publish(channel, marker);
        for (Recorder rec : subscribed) {
            JsonElement e;
            while ((e = rec.next(5_000)) != null && !e.equals(marker)) {
                // skip earlier traffic
            }
            assertEquals(marker, e, "subscription to " + channel + " not active");
        }
    }

    @Test
    void publishReachesEverySubscriberOfTheChannel() throws Exception {
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        a.on("news", ra);
        b.on("news", rb);
        sync(a, "news", ra);
        sync(b, "news", ra, rb);
        c.publish("news", new JsonPrimitive("hello"));
        assertEquals(new JsonPrimitive("hello"), ra.next(5_000));
        assertEquals(new JsonPrimitive("hello"), rb.next(5_000));
    }

    @Test
    void publisherHearsItsOwnPublishOnlyWhenSubscribed() throws Exception {
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        a.on("x", ra);
        sync(a, "x", ra);
        b.on("y", rb);
        sync(b, "y", rb);
        a.publish("y", new JsonPrimitive(1));
        a.publish("x", new JsonPrimitive(2));
        assertEquals(new JsonPrimitive(2), ra.next(5_000), "a is subscribed to x and hears its own publish");
        assertEquals(new JsonPrimitive(1), rb.next(5_000));
        b.publish("y", new JsonPrimitive(3));
        assertEquals(new JsonPrimitive(3), rb.next(5_000));
        // a published to y but is not subscribed to it: nothing more arrived for a.
        assertNull(ra.next(200));
    }

    @Test
    void unsubscribeStopsDelivery() throws Exception {
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        a.on("t", ra);
        b.on("t", rb);
        sync(a, "t", ra);
        sync(b, "t", ra, rb);
        a.unsubscribe("t");
        // b's marker after a's unsubscribe, published by a: a's stream is ordered, so when b sees it, a is out.
        a.publish("t", new JsonPrimitive("after"));
        assertEquals(new JsonPrimitive("after"), rb.next(5_000));
        c.publish("t", new JsonPrimitive("later"));
        assertEquals(new JsonPrimitive("later"), rb.next(5_000));
        assertNull(ra.next(300), "unsubscribed client still received");
    }

    @Test
    void onePublishToSeveralChannels() throws Exception {
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        Recorder r3 = new Recorder();
        a.on("one", r1);
        b.on("two", r2);
        c.on("three", r3);
        sync(a, "one", r1);
        sync(b, "two", r2);
        sync(c, "three", r3);
        c.publish(List.of("one", "two", "nobody-listens"), new JsonPrimitive("multi"));
        assertEquals(new JsonPrimitive("multi"), r1.next(5_000));
        assertEquals(new JsonPrimitive("multi"), r2.next(5_000));
        assertNull(r3.next(200));
    }

    @Test
    void orderIsPreservedPerPublisher() throws Exception {
        Recorder rb = new Recorder();
        b.on("seq", rb);
        sync(b, "seq", rb);
        for (int i = 0; i < 5_000; i++) {
            a.publish("seq", new JsonPrimitive(i));
        }
        for (int i = 0; i < 5_000; i++) {
            assertEquals(new JsonPrimitive(i), rb.next(5_000));
        }
    }

    @Test
    void anEventCarriesThePublishedDataBytesVerbatimAndOtherFormsStillWork() throws Exception {
        // one connection subscribes and publishes: the daemon handles its frames in order, so no race
        try (RawClient sub = RawClient.hello(daemon.port())) {
            RawClient pub = sub;
            sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"raw\"]}");
            // odd whitespace, escapes a re-serialiser would rewrite, non-ASCII bytes: they all reach the subscriber
            String data = "{ \"s\" : \"caf\\u00e9 \\/ \u4e2d\\n\" ,\"n\":[1.50 ,-0, 2E+3] }";
            pub.send(io.channelpush.channel.protocol.FrameCodec.encode("{\"type\":\"publish\", \"data\":" + data
                    + ",\n\"channels\":[\"raw\"]}"));
            assertEquals("{\"type\":\"event\",\"channel\":\"raw\",\"data\":" + data + "}",
                    new String(sub.readBody(), java.nio.charset.StandardCharsets.UTF_8));
            // lenient JSON (which the tree parser has always accepted) is still delivered, written out strictly
            pub.sendJson("{\"type\":\"publish\",\"channels\":[\"raw\"],\"data\":{unquoted:'single'}}");
            assertEquals("{\"type\":\"event\",\"channel\":\"raw\",\"data\":{\"unquoted\":\"single\"}}",
                    new String(sub.readBody(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
