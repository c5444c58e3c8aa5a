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
import io.channelpush.channel.client.History;
import io.channelpush.channel.client.StreamOffset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Streams and history against a scripted daemon: resume positions, duplicates dropped, gaps reported. */
class StreamResumeTest {
    record Got(String data, String epoch, long offset) {
    }

    static final class Gaps implements ChannelClient.Listener {
        final LinkedBlockingQueue<String> gaps = new LinkedBlockingQueue<>();

        @Override
        public void onGap(String channel, String epoch) {
            gaps.add(channel + "@" + epoch);
        }
    }

    static String event(String channel, long offset, String data) {
        return "{\"type\":\"event\",\"channel\":\"" + channel + "\",\"offset\":" + offset + ",\"data\":\""
                + data + "\"}";
    }

    @Test
    void aStreamResumesAfterEachReconnectFromTheLastEventHandedOnWithoutDuplicatesAndReportsAGap() throws Exception {
        LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();
        Gaps gaps = new Gaps();
        try (FakeDaemon d = new FakeDaemon();
             ChannelClient c = ChannelClient.start(AckedPublishTest.options(d), gaps)) {
            c.onStream("b", (data, epoch, offset) -> got.add(
                    new Got(new String(data, StandardCharsets.UTF_8), epoch, offset)));
            FakeDaemon.Conn one = d.acceptV2("e1");
            JsonObject sub = one.read("subscribe");
            assertFalse(sub.has("from"), "no position yet: nothing to resume from");
            for (int i = 1; i <= 2; i++) {
                one.send(event("b", i, "m" + i));
            }
            // the channel name escaped: not for the byte scan, read by the full parser, offset included
            one.send("{\"type\":\"event\",\"channel\":\"\\u0062\",\"offset\":3,\"data\":\"m3\"}");
            for (int i = 1; i <= 3; i++) {
                assertEquals(new Got("\"m" + i + "\"", "e1", i), got.poll(5, TimeUnit.SECONDS));
            }
            one.close();

            FakeDaemon.Conn two = d.acceptV2("e1");
            JsonObject resume = two.read("subscribe");
            assertEquals("{\"b\":{\"epoch\":\"e1\",\"offset\":3}}", resume.get("from").toString());
            two.send("{\"type\":\"resumed\",\"channel\":\"b\",\"epoch\":\"e1\",\"complete\":true}");
            for (int i = 2; i <= 5; i++) { // 2 and 3 again: dropped
                two.send(event("b", i, "m" + i));
            }
            for (int i = 4; i <= 5; i++) {
                assertEquals(new Got("\"m" + i + "\"", "e1", i), got.poll(5, TimeUnit.SECONDS));
            }
            assertEquals(new StreamOffset("e1", 5), c.streamPosition("b"));
            two.close();

            FakeDaemon.Conn three = d.acceptV2("e2");
            assertEquals("{\"b\":{\"epoch\":\"e1\",\"offset\":5}}", three.read("subscribe").get("from").toString());
            three.send("{\"type\":\"resumed\",\"channel\":\"b\",\"epoch\":\"e2\",\"complete\":false}");
            three.send(event("b", 1, "n1"));
            assertEquals("b@e2", gaps.gaps.poll(5, TimeUnit.SECONDS));
            assertEquals(new Got("\"n1\"", "e2", 1), got.poll(5, TimeUnit.SECONDS),
                    "the first event of a new epoch is handed on though its offset is lower");
            assertNull(got.poll(), "a dropped duplicate was handed on");
        }
    }

    @Test
    void theHeadAnsweringAPlainSubscribeIsThePositionUntilTheFirstEventButAResumeKeepsItsOwn() throws Exception {
        LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();
        try (FakeDaemon d = new FakeDaemon();
             ChannelClient c = ChannelClient.start(AckedPublishTest.options(d))) {
            c.onStream("b", (data, epoch, offset) -> got.add(
                    new Got(new String(data, StandardCharsets.UTF_8), epoch, offset)));
            FakeDaemon.Conn one = d.acceptV2("e1");
            assertFalse(one.read("subscribe").has("from"));
            one.send("{\"type\":\"resumed\",\"channel\":\"b\",\"epoch\":\"e1\",\"offset\":7,\"complete\":true}");
            DaemonStreamTest.awaitSubscribed(c, "b");
            assertEquals(new StreamOffset("e1", 7), c.streamPosition("b"));
            one.close();

            FakeDaemon.Conn two = d.acceptV2("e1");
            assertEquals("{\"b\":{\"epoch\":\"e1\",\"offset\":7}}", two.read("subscribe").get("from").toString(),
                    "a reconnect before the first event resumes from the head");
            two.send("{\"type\":\"resumed\",\"channel\":\"b\",\"epoch\":\"e1\",\"offset\":9,\"complete\":true}");
            two.send(event("b", 8, "m8"));
            assertEquals(new Got("\"m8\"", "e1", 8), got.poll(5, TimeUnit.SECONDS),
                    "the replay after a resume's head was dropped");
            two.send(event("b", 9, "m9"));
            assertEquals(new Got("\"m9\"", "e1", 9), got.poll(5, TimeUnit.SECONDS));
            assertEquals(new StreamOffset("e1", 9), c.streamPosition("b"));
        }
    }

    @Test
    void historyAsksForAPageAndReturnsTheReply() throws Exception {
        try (FakeDaemon d = new FakeDaemon();
             ChannelClient c = ChannelClient.start(AckedPublishTest.options(d))) {
            FakeDaemon.Conn conn = d.acceptV2("e1");
            CompletableFuture<History> f = c.history("b", "e1", 7, 2);
            JsonObject req = conn.read("history");
            assertEquals("{\"epoch\":\"e1\",\"offset\":7}", req.get("after").toString());
            assertEquals(2, req.get("limit").getAsInt());
            conn.send("{\"type\":\"history_reply\",\"id\":" + req.get("id") + ",\"channel\":\"b\",\"epoch\":\"e1\","
                    + "\"complete\":true,\"more\":true,\"events\":[{\"offset\":8,\"data\":{\"k\":1}},"
                    + "{\"offset\":9,\"data\":\"x\"}]}");
            History h = f.get(5, TimeUnit.SECONDS);
            assertEquals("e1", h.epoch());
            assertTrue(h.complete() && h.more());
            assertEquals(2, h.events().size());
            assertEquals(9, h.events().get(1).offset());
            assertEquals("{\"k\":1}", new String(h.events().get(0).data(), StandardCharsets.UTF_8));

            CompletableFuture<History> oldest = c.history("b", null, 0, 10);
            JsonObject req2 = conn.read("history");
            assertFalse(req2.has("after"), "from the oldest retained");
            conn.send("{\"type\":\"error\",\"code\":\"not_a_stream\",\"message\":\"b is not a stream\",\"id\":"
                    + req2.get("id") + "}");
            Throwable t = AckedPublishTest.failure(oldest);
            assertInstanceOf(ChannelUnavailableException.class, t);
            assertTrue(t.getMessage().contains("not_a_stream"), t.getMessage());
        }
    }

    @Test
    void historyRequestsAreBoundedInCountAndTime() throws Exception {
        ClientOptions.RequestLimits limits = new ClientOptions.RequestLimits(10, 1000, 2, Duration.ofMillis(300));
        try (FakeDaemon d = new FakeDaemon();
             ChannelClient c = ChannelClient.start(AckedPublishTest.options(d).withRequests(limits))) {
            d.acceptV2("e1");
            CompletableFuture<History> a = c.history("b", null, 0, 1);
            c.history("b", null, 0, 1);
            Throwable full = AckedPublishTest.failure(c.history("b", null, 0, 1));
            assertTrue(full.getMessage().contains("2 history requests pending"), full.getMessage());
            Throwable late = AckedPublishTest.failure(a);
            assertInstanceOf(ChannelUnavailableException.class, late);
            assertTrue(late.getMessage().contains("not answered within 300 ms"), late.getMessage());
        }
    }
}
