package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.StreamOffset;
import io.channelpush.channel.daemon.ChannelDaemon;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A version 2 subscribe of a stream channel without a position is answered with {@code resumed} carrying the stream's
 * head, before any live event; the client takes it as its position, so a reconnect before the first event misses
 * nothing. Against the real daemon (in this JVM, port 0, a data folder of its own).
 */
class StreamHeadTest {

    private static RawClient v2(int port) throws IOException {
        RawClient c = new RawClient(port);
        c.sendJson("{\"type\":\"hello\",\"protocol\":2,\"client\":\"head-test\"}");
        assertEquals("welcome", c.read().get("type").getAsString());
        return c;
    }

    private static void publishAcked(RawClient pub, String channel, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            pub.sendJson("{\"type\":\"publish\",\"id\":" + i + ",\"channels\":[\"" + channel + "\"],\"data\":" + i + "}");
        }
        for (int i = 0; i < n; i++) {
            assertEquals("ack", pub.read().get("type").getAsString());
        }
    }

    private static void assertPong(RawClient c, String why) throws IOException {
        c.sendJson("{\"type\":\"ping\"}");
        assertEquals("pong", c.read().get("type").getAsString(), why);
    }

    @Test
    void aVersion2SubscribeOfAStreamIsAnsweredWithItsHeadOnceAndVersion1AndOtherChannelsGetNothing() throws Exception {
        try (ChannelDaemon d = ChannelDaemon.start(DaemonStreamTest.config(TestData.freshDir(), 0));
             RawClient pub = v2(d.port()); RawClient sub = v2(d.port()); RawClient old = RawClient.hello(d.port())) {
            publishAcked(pub, "b", 3);
            String epoch = epochOf(d.port());
            sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"news\",\"b\",\"g\"]}");
            assertEquals("{\"type\":\"resumed\",\"channel\":\"b\",\"epoch\":\"" + epoch + "\",\"offset\":3,"
                    + "\"complete\":true}", new String(sub.readBody()));
            assertEquals("{\"type\":\"resumed\",\"channel\":\"g\",\"epoch\":\"" + epoch + "\",\"offset\":0,"
                    + "\"complete\":true}", new String(sub.readBody()), "an empty stream's head is 0");
            sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"b\"]}");
            assertPong(sub, "a second subscribe of the same channel changes nothing and is not answered");
            pub.sendJson("{\"type\":\"publish\",\"channels\":[\"b\"],\"data\":\"x\"}");
            assertEquals("{\"type\":\"event\",\"channel\":\"b\",\"offset\":4,\"data\":\"x\"}", new String(sub.readBody()));

            old.sendJson("{\"type\":\"subscribe\",\"channels\":[\"b\"]}");
            assertPong(old, "a version 1 client gets no resumed");
        }
    }

    @Test
    void aSubscribeWithAPositionForOneStreamAndNoneForAnotherAnswersBothBeforeTheirEvents() throws Exception {
        try (ChannelDaemon d = ChannelDaemon.start(DaemonStreamTest.config(TestData.freshDir(), 0));
             RawClient pub = v2(d.port()); RawClient sub = v2(d.port())) {
            publishAcked(pub, "b", 4);
            publishAcked(pub, "g", 2);
            String epoch = epochOf(d.port());
            sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"b\",\"g\"],\"from\":{\"b\":{\"epoch\":\"" + epoch
                    + "\",\"offset\":2}}}");
            List<String> frames = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                frames.add(new String(sub.readBody()));
            }
            assertEquals(List.of(
                    "{\"type\":\"resumed\",\"channel\":\"b\",\"epoch\":\"" + epoch + "\",\"offset\":4,\"complete\":true}",
                    "{\"type\":\"resumed\",\"channel\":\"g\",\"epoch\":\"" + epoch + "\",\"offset\":2,\"complete\":true}",
                    "{\"type\":\"event\",\"channel\":\"b\",\"offset\":3,\"data\":2}",
                    "{\"type\":\"event\",\"channel\":\"b\",\"offset\":4,\"data\":3}"), frames);
        }
    }

    @Test
    void theHeadComesBeforeEveryLiveEventAndEachLaterEventIsAboveItWhileAPublisherKeepsPublishing() throws Exception {
        try (ChannelDaemon d = ChannelDaemon.start(DaemonStreamTest.config(TestData.freshDir(), 0));
             RawClient pub = v2(d.port()); RawClient sub = v2(d.port())) {
            int n = 400;
            for (int i = 0; i < n; i++) {
                pub.sendJson("{\"type\":\"publish\",\"id\":" + i + ",\"channels\":[\"b\"],\"data\":" + i + "}");
                if (i == n / 2) {
                    sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"b\"]}");
                }
            }
            for (int i = 0; i < n; i++) {
                assertEquals("ack", pub.read().get("type").getAsString());
            }
            JsonObject resumed = sub.read();
            assertEquals("resumed", resumed.get("type").getAsString(), "a live event came before the head");
            long head = resumed.get("offset").getAsLong();
            for (long expected = head + 1; expected <= n; expected++) {
                JsonObject e = sub.read();
                assertEquals(expected, e.get("offset").getAsLong(), "a gap or duplicate after the head " + head);
            }
            assertPong(sub, "more events than were published");
        }
    }

    private static String epochOf(int port) throws IOException {
        try (RawClient c = v2(port)) {
            c.sendJson("{\"type\":\"stats\"}");
            return c.read().get("epoch").getAsString();
        }
    }

    @Test
    void aClientThatReconnectsBeforeTheFirstEventOfAStreamGetsEveryPublishOfTheOutageOnceInOrder() throws Exception {
        Path dir = TestData.freshDir();
        ChannelDaemon d = ChannelDaemon.start(DaemonStreamTest.config(dir, TestPorts.freePort()));
        int port = d.port();
        LinkedBlockingQueue<DaemonStreamTest.Got> got = new LinkedBlockingQueue<>();
        ReconnectTest.Events subEvents = new ReconnectTest.Events();
        try (ChannelClient sub = ChannelClient.start(DaemonStreamTest.client(port, "sub"), subEvents)) {
            String epoch;
            try (ChannelClient pub = ChannelClient.start(DaemonStreamTest.client(port, "pub"))) {
                epoch = DaemonStreamTest.acked(DaemonStreamTest.publish(pub, "m", 0, 5)).get(0).epoch();
            }
            sub.onStream("b", DaemonStreamTest.into(got));
            DaemonStreamTest.awaitSubscribed(sub, "b");
            assertEquals(new StreamOffset(epoch, 5), sub.streamPosition("b"), "the head answered is the position");

            d.close();
            assertTrue(subEvents.lost.await(5, TimeUnit.SECONDS));
            // the outage, as the subscriber sees it: its daemon's port is closed while another daemon on the same
            // data folder takes publishes
            try (ChannelDaemon other = ChannelDaemon.start(DaemonStreamTest.config(dir, 0));
                 ChannelClient pub = ChannelClient.start(DaemonStreamTest.client(other.port(), "pub"))) {
                DaemonStreamTest.acked(DaemonStreamTest.publish(pub, "m", 5, 55));
            }
            d = ChannelDaemon.start(DaemonStreamTest.config(dir, port));
            assertTrue(subEvents.reconnected.await(5, TimeUnit.SECONDS));
            try (ChannelClient pub = ChannelClient.start(DaemonStreamTest.client(port, "pub"))) {
                DaemonStreamTest.acked(DaemonStreamTest.publish(pub, "m", 55, 60));
            }
            List<DaemonStreamTest.Got> seen = new ArrayList<>();
            while (seen.size() < 55) {
                DaemonStreamTest.Got g = got.poll(10, TimeUnit.SECONDS);
                assertTrue(g != null, "only " + seen.size() + " of the 55 publishes after the subscribe arrived: "
                        + seen);
                seen.add(g);
            }
            assertNull(got.poll(200, TimeUnit.MILLISECONDS), "more than the 55 publishes after the subscribe arrived");
            for (int i = 0; i < 55; i++) {
                assertEquals(new DaemonStreamTest.Got("\"m" + (i + 5) + "\"", new StreamOffset(epoch, i + 6)),
                        seen.get(i));
            }
        } finally {
            d.close();
        }
    }
}
