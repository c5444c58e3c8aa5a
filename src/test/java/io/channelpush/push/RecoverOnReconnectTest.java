package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.channelpush.push.JsonFrames.JSON;
import static io.channelpush.push.JsonFrames.JSON_RECOVER;
import static io.channelpush.push.JsonFrames.await;
import static io.channelpush.push.JsonFrames.json;
import static io.channelpush.push.JsonFrames.ofType;

import com.google.gson.JsonObject;
import io.channelpush.push.bus.BusMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * What a reconnecting JSON client gets, without sockets ({@link MemoryNode}): with {@code recover=1} the gap comes
 * before any live message (held until its {@code recover}, bounded); a history failure is retried and, when it lasts,
 * answered {@code unavailable} (never {@code false}) while the live messages wait for the next recover; the welcome
 * and the {@code add_group} ack carry the streams' positions, from which a later recover fills the gap.
 */
class RecoverOnReconnectTest {

    private static List<Long> offsets(List<String> texts, String stream) {
        List<Long> out = new ArrayList<>();
        for (JsonObject o : ofType(texts, "message")) {
            if (o.get("stream").getAsString().equals(stream)) {
                out.add(o.get("offset").getAsLong());
            }
        }
        return out;
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static void broadcasts(MemoryNode mem, int from, int to) {
        for (int i = from; i <= to; i++) {
            mem.node.publishAcked(new BusMessage.Broadcast("b" + i)).join();
        }
    }

    @Test
    void aConnectionPromisingRecoverGetsTheGapBeforeBroadcastsPublishedBetweenItsWelcomeAndItsRecover() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            broadcasts(mem, 1, 10);
            FakeWebSocket ws = new FakeWebSocket(JSON_RECOVER);
            PushSession s = mem.open(ws);
            broadcasts(mem, 11, 15);
            await(ws, t -> t.size() == 1, "the welcome");
            assertTrue(s.streams().awaiting(), "live broadcasts wait for the recover");
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"id\":1,\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":5}}}");
            await(ws, t -> !ofType(t, "recovered").isEmpty(), "recovered");
            broadcasts(mem, 16, 16);
            List<String> texts = await(ws, t -> offsets(t, "broadcast").contains(16L), "a live broadcast");
            assertEquals(range(6, 16), offsets(texts, "broadcast"), "the gap 6..10 first, then 11..16, once each");
            assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"broadcast\":true},\"id\":1}"),
                    ofType(texts, "recovered").get(0));
            assertFalse(s.streams().awaiting());
        }
    }

    @Test
    void aRefusedRecoverReleasesAtOnceWhatTheConnectionHeldForIt() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            FakeWebSocket ws = new FakeWebSocket(JSON_RECOVER);
            PushSession s = mem.open(ws);
            broadcasts(mem, 1, 3);
            await(ws, t -> t.size() == 1, "the welcome");
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"id\":2,\"streams\":{\"broadcast\":7}}");
            List<String> texts = await(ws, t -> offsets(t, "broadcast").size() == 3 && !ofType(t, "error").isEmpty(),
                    "the held broadcasts and the error");
            assertEquals("missing_field", ofType(texts, "error").get(0).get("code").getAsString());
            assertEquals(range(1, 3), offsets(texts, "broadcast"));
            assertFalse(s.streams().awaiting());
        }
    }

    @Test
    void broadcastsHeldForAPromisedRecoverPastTheQueueBoundCloseTheConnectionWith1013() {
        try (MemoryNode mem = new MemoryNode(Map.of(PushConfig.SEND_QUEUE_BYTES, "4096"))) {
            FakeWebSocket ws = new FakeWebSocket(JSON_RECOVER);
            mem.open(ws);
            for (int i = 0; i < 10; i++) {
                mem.node.publishAcked(new BusMessage.Broadcast("x".repeat(1000))).join();
            }
            PushFixture.await(() -> {
                ws.completeAll(null);
                return ws.closeReason() != null;
            }, "closed");
            assertEquals(1013, ws.closeReason().getCloseCode().getCode());
            assertEquals(List.of(), offsets(ws.texts(), "broadcast"));
        }
    }

    @Test
    void aStalledBusIsNotAGapFailingHistoryRequestsAreRetriedAndTheRecoverSucceeds() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            broadcasts(mem, 1, 20);
            mem.bus.historyFailures.set(3);
            FakeWebSocket ws = new FakeWebSocket(JSON_RECOVER);
            PushSession s = mem.open(ws);
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"id\":1,\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":5}}}");
            List<String> texts = await(ws, t -> !ofType(t, "recovered").isEmpty(), "recovered");
            assertEquals(0, mem.bus.historyFailures.get(), "three history requests failed");
            assertEquals(range(6, 20), offsets(texts, "broadcast"));
            assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"broadcast\":true},\"id\":1}"),
                    ofType(texts, "recovered").get(0));
            assertEquals(0, mem.node.metrics().recoveriesUnrecoverable());
        }
    }

    @Test
    void anEmptyHistoryPageWithMoreToComeIsAskedAgainNotTakenForTheEnd() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            broadcasts(mem, 1, 300);
            FakeWebSocket ws = new FakeWebSocket(JSON_RECOVER);
            PushSession s = mem.open(ws);
            mem.bus.emptyHistoryPages.set(2);
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"id\":1,\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":0}}}");
            broadcasts(mem, 301, 302); // held: they come after the replay, which must not skip to them
            List<String> texts = await(ws, t -> !ofType(t, "recovered").isEmpty(), "recovered");
            assertEquals(range(1, 302), offsets(texts, "broadcast"), "nothing skipped between the replay and the live ones");
            assertTrue(ofType(texts, "recovered").get(0).toString().contains("\"broadcast\":true"));
        }
    }

    @Test
    void whatAReplayFromHistoryGaveIsNotSentAgainWhenTheNodesLaggingSubscriptionDeliversItLate() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            broadcasts(mem, 1, 5);
            mem.bus.lagSubscription();
            broadcasts(mem, 6, 10);
            FakeWebSocket ws = new FakeWebSocket(JSON_RECOVER);
            PushSession s = mem.open(ws);
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"id\":1,\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":2}}}");
            await(ws, t -> !ofType(t, "recovered").isEmpty(), "recovered");
            mem.bus.catchUpSubscription();
            broadcasts(mem, 11, 11);
            List<String> texts = await(ws, t -> offsets(t, "broadcast").contains(11L), "a live broadcast");
            assertEquals(range(3, 11), offsets(texts, "broadcast"), "6..10 from history only, then 11 live");
        }
    }

    @Test
    void aHistoryWhoseTailIsBehindTheHeldLiveMessagesIsAskedAgainSoNothingBetweenIsSkipped() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            broadcasts(mem, 1, 10);
            FakeWebSocket ws = new FakeWebSocket(JSON_RECOVER);
            PushSession s = mem.open(ws);
            mem.bus.holdHistory();
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"id\":1,\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":5}}}");
            PushFixture.await(() -> mem.bus.heldHistoryRequests() == 1, "the history request");
            broadcasts(mem, 11, 13); // held by the recovery
            mem.bus.hiddenNewest = 5;
            mem.bus.staleHistoryAnswers.set(2); // two answers end at 8: 9 and 10 lie between them and the held 11
            mem.bus.releaseHistory();
            List<String> texts = await(ws, t -> !ofType(t, "recovered").isEmpty(), "recovered");
            assertEquals(0, mem.bus.staleHistoryAnswers.get(), "both stale answers were given");
            assertEquals(range(6, 13), offsets(texts, "broadcast"));
        }
    }

    @Test
    void historyFailingPastTheRetryTimeIsAnsweredUnavailableAndTheNextRecoverFillsTheGapBeforeLiveMessages() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            mem.node.recoveries().historyRetryMillis = 300;
            broadcasts(mem, 1, 10);
            mem.bus.historyFailures.set(Integer.MAX_VALUE);
            FakeWebSocket ws = new FakeWebSocket(JSON_RECOVER);
            PushSession s = mem.open(ws);
            broadcasts(mem, 11, 12);
            ClientCommands commands = new ClientCommands(mem.node);
            commands.handle(s, "{\"cmd\":\"recover\",\"id\":3,\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":5}}}");
            List<String> texts = await(ws, t -> !ofType(t, "error").isEmpty(), "an error");
            JsonObject error = ofType(texts, "error").get(0);
            assertEquals("unavailable", error.get("code").getAsString());
            assertEquals(3, error.get("id").getAsInt());
            assertEquals("recover", error.get("cmd").getAsString());
            assertEquals(List.of(), ofType(texts, "recovered"), "no false: the gap may still be filled");
            broadcasts(mem, 13, 13);
            ws.completeAll(null);
            assertEquals(List.of(), offsets(ws.texts(), "broadcast"), "live broadcasts wait for the next recover");
            assertEquals(1, mem.node.metrics().recoveriesUnavailable());
            mem.bus.historyFailures.set(0);
            commands.handle(s, "{\"cmd\":\"recover\",\"id\":4,\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":5}}}");
            await(ws, t -> !ofType(t, "recovered").isEmpty(), "recovered");
            broadcasts(mem, 14, 14);
            texts = await(ws, t -> offsets(t, "broadcast").contains(14L), "a live broadcast");
            assertEquals(range(6, 14), offsets(texts, "broadcast"));
            assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"broadcast\":true},\"id\":4}"),
                    ofType(texts, "recovered").get(0));
        }
    }

    @Test
    void theWelcomeAndTheAddGroupAckCarryTheStreamsPositionsFromWhichARecoverFillsWhatCameAfter() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            FakeWebSocket first = new FakeWebSocket(JSON);
            mem.open(first);
            assertNull(json(await(first, t -> t.size() == 1, "welcome").get(0)).get("streams"),
                    "no position before the node's first broadcast");
            broadcasts(mem, 1, 3);
            mem.node.publishAcked(new BusMessage.Group("other", "x")).join();
            mem.node.publishAcked(new BusMessage.Group("other", "y")).join();
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.open(ws);
            ClientCommands commands = new ClientCommands(mem.node);
            commands.handle(s, "{\"cmd\":\"add_group\",\"group_id\":\"g1\",\"id\":9}");
            List<String> texts = await(ws, t -> t.size() == 2, "welcome and ack");
            JsonObject welcome = json(texts.get(0));
            assertEquals(json("{\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":3}}"), welcome.get("streams"));
            assertEquals(json("{\"type\":\"ack\",\"id\":9,\"cmd\":\"add_group\",\"streams\":"
                    + "{\"group:g1\":{\"epoch\":\"mem-1\",\"offset\":2}}}"), json(texts.get(1)));
            // the client goes away before anything reaches it; meanwhile:
            broadcasts(mem, 4, 5);
            mem.node.publishAcked(new BusMessage.Group("g1", "missed")).join();
            FakeWebSocket again = new FakeWebSocket(JSON_RECOVER);
            PushSession s2 = mem.open(again);
            commands.handle(s2, "{\"cmd\":\"recover\",\"id\":1,\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":3},\"group:g1\":{\"epoch\":\"mem-1\",\"offset\":2}}}");
            texts = await(again, t -> !ofType(t, "recovered").isEmpty(), "recovered");
            assertEquals(range(4, 5), offsets(texts, "broadcast"));
            assertEquals(List.of(3L), offsets(texts, "group:g1"));
            assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"broadcast\":true,\"group:g1\":true},\"id\":1}"),
                    ofType(texts, "recovered").get(0));
            FakeWebSocket text = new FakeWebSocket();
            PushSession ts = mem.open(text);
            commands.handle(ts, "{\"cmd\":\"add_group\",\"group_id\":\"g1\",\"id\":9}");
            assertEquals(json("{\"type\":\"ack\",\"id\":9,\"cmd\":\"add_group\"}"),
                    json(await(text, t -> t.size() == 2, "text ack").get(1)));
        }
    }
}
