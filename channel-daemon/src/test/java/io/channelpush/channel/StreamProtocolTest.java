package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Protocol version 2 against a real daemon, with raw frames: acks, offsets, resume and history. */
class StreamProtocolTest {
    private ChannelDaemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private int start(DaemonConfig config) throws IOException {
        daemon = ChannelDaemon.start(config.withPort(0).withWarmup(Duration.ZERO));
        return daemon.port();
    }

    private static RawClient v2(int port) throws IOException {
        RawClient c = new RawClient(port);
        c.sendJson("{\"type\":\"hello\",\"protocol\":2,\"client\":\"v2-test\"}");
        JsonObject w = c.read();
        assertEquals("welcome", w.get("type").getAsString());
        assertEquals(2, w.get("protocol").getAsInt());
        assertTrue(w.has("epoch"));
        return c;
    }

    private static String epochOf(int port) throws IOException {
        try (RawClient c = new RawClient(port)) {
            c.sendJson("{\"type\":\"hello\",\"protocol\":2}");
            return c.read().get("epoch").getAsString();
        }
    }

    /** Publishes n numbered events to {@code channel} with ids and waits for their acks; returns the last offset. */
    private static long publishAcked(RawClient c, String channel, int from, int n) throws IOException {
        for (int i = from; i < from + n; i++) {
            c.sendJson("{\"type\":\"publish\",\"id\":" + i + ",\"channels\":[\"" + channel + "\"],\"data\":{\"n\":" + i
                    + "}}");
        }
        long last = 0;
        for (int i = from; i < from + n; i++) {
            JsonObject ack = c.read();
            assertEquals("ack", ack.get("type").getAsString(), ack.toString());
            assertEquals(i, ack.get("id").getAsLong());
            last = ack.getAsJsonObject("offsets").get(channel).getAsLong();
        }
        return last;
    }

    @Test
    void aVersion1ClientWorksUnchangedAndSeesOffsetsOnStreamEventsOnly() throws IOException {
        int port = start(TestData.config());
        try (RawClient sub = RawClient.hello(port); RawClient pub = RawClient.hello(port)) {
            sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"b\",\"news\"]}");
            sub.sendJson("{\"type\":\"ping\"}");
            assertEquals("pong", sub.read().get("type").getAsString());
            pub.sendJson("{\"type\":\"publish\",\"id\":7,\"channels\":[\"news\",\"b\"],\"data\":{\"x\": 1}}");
            pub.sendJson("{\"type\":\"ping\"}");
            assertEquals("pong", pub.read().get("type").getAsString(), "a version 1 client gets no ack");
            assertEquals("{\"type\":\"event\",\"channel\":\"news\",\"data\":{\"x\": 1}}", new String(sub.readBody()));
            assertEquals("{\"type\":\"event\",\"channel\":\"b\",\"offset\":1,\"data\":{\"x\": 1}}",
                    new String(sub.readBody()));
        }
    }

    @Test
    void acksComeInPublishOrderWithEachStreamsOffsets() throws IOException {
        int port = start(TestData.config());
        try (RawClient c = v2(port)) {
            int n = 300;
            for (int i = 0; i < n; i++) {
                String chans = switch (i % 3) {
                    case 0 -> "[\"b\"]";
                    case 1 -> "[\"g\",\"news\"]";
                    default -> "[\"news\"]";
                };
                c.sendJson("{\"type\":\"publish\",\"id\":" + i + ",\"channels\":" + chans + ",\"data\":" + i + "}");
            }
            long b = 0;
            long g = 0;
            for (int i = 0; i < n; i++) {
                JsonObject ack = c.read();
                assertEquals("ack", ack.get("type").getAsString());
                assertEquals(i, ack.get("id").getAsLong(), "acks in publish order");
                JsonObject offsets = ack.getAsJsonObject("offsets");
                switch (i % 3) {
                    case 0 -> assertEquals(++b, offsets.get("b").getAsLong());
                    case 1 -> {
                        assertEquals(++g, offsets.get("g").getAsLong());
                        assertNull(offsets.get("news"), "only streams have offsets");
                    }
                    default -> assertEquals(0, offsets.size());
                }
            }
        }
    }

    @Test
    void aLogThatCannotBeWrittenRefusesPublishesWithStorageFailedUntilItCanAgain() throws IOException {
        java.nio.file.Path dir = TestData.freshDir();
        DaemonConfig c = TestData.config().withDataDir(dir);
        // segments of 2 messages; a folder where the third segment file must go makes creating it fail
        int port = start(c.withStreams(c.streams().withRetention(16, 1L << 30, Duration.ofMinutes(5))));
        java.nio.file.Path blocker = java.nio.file.Files.createDirectories(
                dir.resolve("streams").resolve("b").resolve("00000000000000000003.log"));
        try (RawClient p = v2(port)) {
            assertEquals(2, publishAcked(p, "b", 1, 2));
            p.sendJson("{\"type\":\"publish\",\"id\":3,\"channels\":[\"b\"],\"data\":3}");
            JsonObject refused = p.read();
            assertEquals("storage_failed", refused.get("code").getAsString(), refused.toString());
            assertEquals(3, refused.get("id").getAsLong());
            java.nio.file.Files.delete(blocker);
            assertEquals(3, publishAcked(p, "b", 4, 1), "the refused publish took no offset");
        }
    }

    @Test
    void statsShowEachStreamsOffsetsAndTheEpoch() throws IOException {
        int port = start(TestData.config());
        try (RawClient c = v2(port)) {
            publishAcked(c, "b", 1, 7);
            c.sendJson("{\"type\":\"stats\"}");
            JsonObject stats = c.read();
            assertEquals(epochOf(port), stats.get("epoch").getAsString());
            JsonObject b = stats.getAsJsonObject("streams").getAsJsonObject("b");
            assertEquals(1, b.get("first_offset").getAsLong());
            assertEquals(7, b.get("last_offset").getAsLong());
            assertEquals(7, b.get("messages").getAsLong());
            assertEquals(0, stats.getAsJsonObject("streams").getAsJsonObject("g").get("last_offset").getAsLong());
        }
    }

    @Test
    void fsyncAlwaysAlsoAcksEveryPublishInOrder() throws IOException {
        DaemonConfig c = TestData.config();
        int port = start(c.withStreams(c.streams().withFsync(true, Duration.ofSeconds(1))));
        try (RawClient p = v2(port)) {
            assertEquals(200, publishAcked(p, "b", 1, 200));
        }
    }

    @Test
    void aResumeReplaysFromTheOffsetThenGoesLiveWithoutGapOrDuplicateWhilePublishesRace() throws Exception {
        int port = start(TestData.config());
        String epoch = epochOf(port);
        try (RawClient pub = v2(port); RawClient racer = v2(port); RawClient sub = v2(port)) {
            assertEquals(2000, publishAcked(pub, "b", 1, 2000));
            CompletableFuture<Long> racing = CompletableFuture.supplyAsync(() -> {
                try {
                    return publishAcked(racer, "b", 10_000, 1000);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"b\"],\"from\":{\"b\":{\"epoch\":\"" + epoch
                    + "\",\"offset\":100}}}");
            JsonObject resumed = sub.read();
            assertEquals("resumed", resumed.get("type").getAsString());
            assertEquals(epoch, resumed.get("epoch").getAsString());
            assertTrue(resumed.get("complete").getAsBoolean());
            assertEquals(3000, racing.get(10, TimeUnit.SECONDS));
            for (long expected = 101; expected <= 3000; expected++) {
                JsonObject e = sub.read();
                assertEquals("event", e.get("type").getAsString());
                assertEquals(expected, e.get("offset").getAsLong(), "no gap, no duplicate");
            }
            pub.sendJson("{\"type\":\"publish\",\"channels\":[\"b\"],\"data\":\"live\"}");
            JsonObject live = sub.read();
            assertEquals(3001, live.get("offset").getAsLong());
            assertEquals("live", live.get("data").getAsString());
        }
    }

    @Test
    void aReplayLongerThanOnePieceComesInOrderAsTheReaderDrainsIt() throws IOException {
        // an outbound limit below the replay's piece: the replay must stay within it, not close the reader as slow
        int port = start(TestData.config().withMaxFrameBytes(64 * 1024).withOutboundLimitBytes(100_000));
        String epoch = epochOf(port);
        String kb = "x".repeat(1000);
        int n = 3000; // 3 MB: a dozen pieces of 256 KiB
        try (RawClient pub = v2(port); RawClient sub = v2(port)) {
            for (int i = 1; i <= n; i++) {
                pub.sendJson("{\"type\":\"publish\",\"id\":" + i + ",\"channels\":[\"g\"],\"data\":\"" + kb + "\"}");
            }
            for (int i = 1; i <= n; i++) {
                assertEquals(i, pub.read().get("id").getAsLong());
            }
            sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"g\"],\"from\":{\"g\":{\"epoch\":\"" + epoch
                    + "\",\"offset\":0}}}");
            assertTrue(sub.read().get("complete").getAsBoolean());
            for (long i = 1; i <= n; i++) {
                JsonObject e = sub.read();
                assertEquals(i, e.get("offset").getAsLong());
                assertEquals(kb, e.get("data").getAsString());
            }
        }
    }

    @Test
    void aResumeFromAnotherEpochIsIncompleteAndGetsWhatIsLeft() throws IOException {
        int port = start(TestData.config());
        try (RawClient pub = v2(port); RawClient sub = v2(port)) {
            publishAcked(pub, "g", 1, 5);
            sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"g\"],"
                    + "\"from\":{\"g\":{\"epoch\":\"gone\",\"offset\":3}}}");
            JsonObject resumed = sub.read();
            assertFalse(resumed.get("complete").getAsBoolean());
            for (long i = 1; i <= 5; i++) {
                assertEquals(i, sub.read().get("offset").getAsLong());
            }
        }
    }

    @Test
    void aResumeBeyondRetentionIsIncompleteAndStartsAtTheOldestKept() throws IOException {
        DaemonConfig c = TestData.config();
        int port = start(c.withStreams(c.streams().withRetention(16, 1L << 30, Duration.ofMinutes(5))));
        String epoch = epochOf(port);
        try (RawClient pub = v2(port); RawClient sub = v2(port)) {
            publishAcked(pub, "b", 1, 100);
            sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"b\"],\"from\":{\"b\":{\"epoch\":\"" + epoch
                    + "\",\"offset\":1}}}");
            assertFalse(sub.read().get("complete").getAsBoolean());
            long first = sub.read().get("offset").getAsLong();
            assertTrue(first > 80, "starts at the oldest kept: " + first);
            for (long i = first + 1; i <= 100; i++) {
                assertEquals(i, sub.read().get("offset").getAsLong());
            }
        }
    }

    @Test
    void historyComesInPagesBoundedByTheLimit() throws IOException {
        int port = start(TestData.config());
        String epoch = epochOf(port);
        try (RawClient c = v2(port)) {
            publishAcked(c, "g", 1, 25);
            long after = -1;
            int pages = 0;
            long expected = 1;
            boolean more = true;
            while (more) {
                String from = after < 0 ? "" : ",\"after\":{\"epoch\":\"" + epoch + "\",\"offset\":" + after + "}";
                c.sendJson("{\"type\":\"history\",\"id\":" + pages + ",\"channel\":\"g\",\"limit\":10" + from + "}");
                JsonObject page = c.read();
                assertEquals("history_reply", page.get("type").getAsString(), page.toString());
                assertEquals(pages, page.get("id").getAsLong());
                assertEquals(epoch, page.get("epoch").getAsString());
                assertTrue(page.get("complete").getAsBoolean());
                JsonArray events = page.getAsJsonArray("events");
                assertTrue(events.size() <= 10);
                for (var e : events) {
                    assertEquals(expected, e.getAsJsonObject().get("offset").getAsLong());
                    assertEquals(expected, e.getAsJsonObject().getAsJsonObject("data").get("n").getAsLong());
                    expected++;
                }
                after = expected - 1;
                more = page.get("more").getAsBoolean();
                pages++;
            }
            assertEquals(26, expected);
            assertEquals(3, pages);
        }
    }

    @Test
    void historyOrResumeOfAChannelThatIsNoStreamIsRefusedWithoutClosing() throws IOException {
        int port = start(TestData.config());
        try (RawClient c = v2(port)) {
            c.sendJson("{\"type\":\"history\",\"id\":5,\"channel\":\"news\",\"limit\":10}");
            JsonObject e = c.read();
            assertEquals("not_a_stream", e.get("code").getAsString());
            assertEquals(5, e.get("id").getAsLong());
            c.sendJson("{\"type\":\"subscribe\",\"channels\":[\"news\"],"
                    + "\"from\":{\"news\":{\"epoch\":\"x\",\"offset\":0}}}");
            JsonObject e2 = c.read();
            assertEquals("not_a_stream", e2.get("code").getAsString());
            assertEquals("news", e2.get("channel").getAsString());
            c.sendJson("{\"type\":\"publish\",\"channels\":[\"news\"],\"data\":1}");
            assertEquals("event", c.read().get("type").getAsString(), "subscribed all the same");
        }
    }
}
