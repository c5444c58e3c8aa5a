package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.channelpush.push.JsonFrames.JSON;
import static io.channelpush.push.JsonFrames.await;
import static io.channelpush.push.JsonFrames.json;

import com.google.gson.JsonObject;
import io.channelpush.push.bus.BusMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * JSON frames and {@code recover} on a whole {@link PushNode} without sockets ({@link MemoryNode}): positions on
 * messages, replay after the client's offsets, live messages racing the replay (the bus's history answers are
 * held while they arrive), and the bounds.
 */
class NodeRecoveryTest {

    private static boolean recovered(List<String> texts) {
        return texts.stream().anyMatch(t -> t.contains("\"type\":\"recovered\""));
    }

    /** The offsets of a stream's messages, in arrival order. */
    private static List<Long> offsets(List<String> texts, String stream) {
        List<Long> out = new ArrayList<>();
        for (String t : texts) {
            JsonObject o = json(t);
            if (o.get("type").getAsString().equals("message") && o.get("stream").getAsString().equals(stream)) {
                out.add(o.get("offset").getAsLong());
            }
        }
        return out;
    }

    private static void publish(PushNode node, BusMessage m) {
        node.publishAcked(m).join();
    }

    @Test
    void jsonConnectionsGetAWelcomeAndPositionedMessagesWhileTextConnectionsStayPlain() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            FakeWebSocket j = new FakeWebSocket(JSON);
            FakeWebSocket t = new FakeWebSocket();
            PushSession js = mem.open(j);
            PushSession ts = mem.open(t);
            mem.node.join(js, "g1");
            mem.node.join(ts, "g1");
            publish(mem.node, new BusMessage.Broadcast("hello \"all\""));
            publish(mem.node, new BusMessage.Group("g1", "to g1"));
            publish(mem.node, new BusMessage.Targeted("mem", js.id, "just you"));
            List<String> jt = await(j, x -> x.size() == 4, "json frames");
            assertEquals(json("{\"type\":\"welcome\",\"worker_id\":\"mem\",\"connection_id\":" + js.id + "}"),
                    json(jt.get(0)));
            assertEquals(json("{\"type\":\"message\",\"stream\":\"broadcast\",\"epoch\":\"mem-1\",\"offset\":1,"
                    + "\"content\":\"hello \\\"all\\\"\"}"), json(jt.get(1)));
            assertEquals(json("{\"type\":\"message\",\"stream\":\"group:g1\",\"epoch\":\"mem-1\",\"offset\":1,"
                    + "\"content\":\"to g1\"}"), json(jt.get(2)));
            assertEquals(json("{\"type\":\"message\",\"stream\":\"connection\",\"content\":\"just you\"}"),
                    json(jt.get(3)));
            List<String> tt = await(t, x -> x.size() == 3, "text frames");
            assertEquals(List.of("hello \"all\"", "to g1"), tt.subList(1, 3));
            assertTrue(tt.get(0).startsWith("workerID:mem connectionID:"));
        }
    }

    @Test
    void recoverReplaysWhatWasMissedThenLiveMessagesRacingItWithoutGapOrDuplicate() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            for (int i = 1; i <= 50; i++) {
                publish(mem.node, new BusMessage.Broadcast("b" + i));
                publish(mem.node, new BusMessage.Group(i % 2 == 0 ? "g1" : "other", "g" + i));
            }
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.open(ws);
            mem.bus.holdHistory();
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"id\":7,\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":10},\"group:g1\":{\"epoch\":\"mem-1\",\"offset\":0}}}");
            PushFixture.await(() -> mem.bus.heldHistoryRequests() == 1, "the first history request");
            // live messages while the bus has not answered: held, then deduplicated against the history
            for (int i = 51; i <= 60; i++) {
                publish(mem.node, new BusMessage.Broadcast("b" + i));
                publish(mem.node, new BusMessage.Group("g1", "g" + i));
            }
            mem.bus.releaseHistory();
            PushFixture.await(() -> {
                mem.bus.releaseHistory();
                ws.completeAll(null);
                return recovered(ws.texts());
            }, "recovered: " + ws.texts());
            mem.bus.releaseHistory();
            for (int i = 61; i <= 65; i++) {
                publish(mem.node, new BusMessage.Broadcast("b" + i));
            }
            List<String> texts = await(ws, x -> offsets(x, "broadcast").size() == 55, "every broadcast");
            List<Long> expected = new ArrayList<>();
            for (long o = 11; o <= 65; o++) {
                expected.add(o);
            }
            assertEquals(expected, offsets(texts, "broadcast"), "broadcasts 11..65, once each, in order");
            List<String> groupContents = texts.stream().map(JsonFrames::json)
                    .filter(o -> o.get("type").getAsString().equals("message")
                            && o.get("stream").getAsString().equals("group:g1"))
                    .map(o -> o.get("content").getAsString()).toList();
            List<String> expectedGroup = new ArrayList<>();
            for (int i = 2; i <= 50; i += 2) {
                expectedGroup.add("g" + i);
            }
            for (int i = 51; i <= 60; i++) {
                expectedGroup.add("g" + i);
            }
            assertEquals(expectedGroup, groupContents);
            JsonObject done = texts.stream().map(JsonFrames::json)
                    .filter(o -> o.get("type").getAsString().equals("recovered")).findFirst().orElseThrow();
            assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"broadcast\":true,\"group:g1\":true},\"id\":7}"),
                    done);
            assertTrue(s.groups().contains("g1"), "recover joined the group");
            // the history answered after the live messages came, so it replayed them and the held copies were dropped
            assertEquals(50 + 35, mem.node.metrics().messagesRecovered());
        }
    }

    @Test
    void recoverAnswersFalseForAnotherEpochOrAnOffsetBeyondRetentionAndLiveMessagesFlowOn() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            mem.bus.retention = 5;
            for (int i = 1; i <= 20; i++) {
                publish(mem.node, new BusMessage.Broadcast("b" + i));
            }
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.open(ws);
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":3}}}");
            List<String> texts = await(ws, NodeRecoveryTest::recovered, "recovered");
            assertTrue(texts.get(texts.size() - 1).contains("\"broadcast\":false"), texts.toString());
            assertEquals(List.of(), offsets(texts, "broadcast"), "nothing replayed past a gap");
            mem.bus.newEpoch(io.channelpush.push.bus.Channels.BROADCAST, "mem-2");
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":20}}}");
            texts = await(ws, x -> x.stream().filter(t -> t.contains("recovered")).count() == 2, "second recover");
            assertTrue(texts.get(texts.size() - 1).contains("\"broadcast\":false"), texts.toString());
            publish(mem.node, new BusMessage.Broadcast("after"));
            texts = await(ws, x -> x.get(x.size() - 1).contains("after"), "a live message");
            assertEquals(json("{\"type\":\"message\",\"stream\":\"broadcast\",\"epoch\":\"mem-2\",\"offset\":21,"
                    + "\"content\":\"after\"}"), json(texts.get(texts.size() - 1)));
            assertEquals(2, mem.node.metrics().recoveriesUnrecoverable());
        }
    }

    @Test
    void aRecoverReplaysAtMostTheSettingAndAnswersFalseBeyond() {
        try (MemoryNode mem = new MemoryNode(Map.of(PushConfig.MAX_RECOVER_MESSAGES, "10"))) {
            for (int i = 1; i <= 30; i++) {
                publish(mem.node, new BusMessage.Broadcast("b" + i));
            }
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.open(ws);
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":0}}}");
            List<String> texts = await(ws, NodeRecoveryTest::recovered, "recovered");
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), offsets(texts, "broadcast"));
            assertTrue(texts.get(texts.size() - 1).contains("\"broadcast\":false"));
        }
    }

    @Test
    void liveMessagesHeldPastTheSessionsQueueBoundCloseItWith1013() {
        try (MemoryNode mem = new MemoryNode(Map.of(PushConfig.SEND_QUEUE_BYTES, "4096"))) {
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.open(ws);
            mem.bus.holdHistory();
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":0}}}");
            for (int i = 0; i < 10; i++) {
                publish(mem.node, new BusMessage.Broadcast("x".repeat(1000)));
            }
            PushFixture.await(() -> {
                ws.completeAll(null);
                return ws.closeReason() != null;
            }, "closed");
            assertEquals(1013, ws.closeReason().getCloseCode().getCode());
            mem.bus.releaseHistory();
            assertFalse(recovered(ws.texts()));
        }
    }

    @Test
    void recoverIsRefusedOnTextConnectionsAndWhileAnotherRuns() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            FakeWebSocket t = new FakeWebSocket();
            PushSession ts = mem.open(t);
            String cmd = "{\"cmd\":\"recover\",\"streams\":{\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":0}}}";
            new ClientCommands(mem.node).handle(ts, cmd);
            await(t, x -> x.size() == 2 && x.get(1).contains("\"code\":\"wrong_format\""), "wrong_format");
            FakeWebSocket j = new FakeWebSocket(JSON);
            PushSession js = mem.open(j);
            mem.bus.holdHistory();
            new ClientCommands(mem.node).handle(js, cmd);
            new ClientCommands(mem.node).handle(js, cmd);
            await(j, x -> x.stream().anyMatch(m -> m.contains("\"code\":\"rate_limited\"")), "second refused");
            mem.bus.releaseHistory();
            await(j, NodeRecoveryTest::recovered, "first recovered");
        }
    }

    @Test
    void aRecoverRacingAPublisherThreadGetsEveryBroadcastOnceInOrder() throws Exception {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            for (int i = 1; i <= 500; i++) {
                publish(mem.node, new BusMessage.Broadcast("b" + i));
            }
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.open(ws);
            int total = 3_000;
            Thread publisher = new Thread(() -> {
                for (int i = 501; i <= total; i++) {
                    publish(mem.node, new BusMessage.Broadcast("b" + i));
                }
            }, "racing-publisher");
            publisher.start();
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":100}}}");
            publisher.join(10_000);
            List<String> texts = await(ws, x -> offsets(x, "broadcast").size() >= total - 100 && recovered(x),
                    "every broadcast");
            List<Long> expected = new ArrayList<>();
            for (long o = 101; o <= total; o++) {
                expected.add(o);
            }
            List<Long> got = offsets(texts, "broadcast");
            // those delivered live before the recover began come first; the rest follow in order, each once
            assertEquals(expected, got.stream().sorted().toList(), "each broadcast once");
            int descents = 0;
            for (int i = 1; i < got.size(); i++) {
                if (got.get(i) < got.get(i - 1)) {
                    descents++;
                }
            }
            assertTrue(descents <= 1, "live-before-recover then replay-and-live, each in order: " + descents);
            assertTrue(texts.stream().anyMatch(t -> t.contains("\"broadcast\":true")));
        }
    }

    @Test
    void sendToGroupIsAcknowledgedOnlyAfterTheBusAndRefusedOrUnknownOtherwise() {
        try (MemoryNode mem = new MemoryNode(Map.of(PushConfig.PUBLISH_ACK_TIMEOUT_MS, "200"))) {
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.open(ws);
            ClientCommands commands = new ClientCommands(mem.node);
            mem.bus.acks = InMemoryBus.Acks.HOLD;
            commands.handle(s, "{\"cmd\":\"send_to_group\",\"group_id\":\"g\",\"message\":\"m\",\"id\":1}");
            commands.handle(s, "{\"cmd\":\"add_group\",\"group_id\":\"x\",\"id\":2}");
            List<String> texts = await(ws, x -> x.size() == 2, "the add_group ack first");
            assertTrue(texts.get(1).contains("\"id\":2"), texts.toString());
            mem.bus.releaseAcks();
            texts = await(ws, x -> x.size() == 3, "then the send_to_group ack");
            assertEquals(json("{\"type\":\"ack\",\"id\":1,\"cmd\":\"send_to_group\"}"), json(texts.get(2)));
            mem.bus.acks = InMemoryBus.Acks.REFUSE;
            commands.handle(s, "{\"cmd\":\"send_to_group\",\"group_id\":\"g\",\"message\":\"m\",\"id\":3}");
            texts = await(ws, x -> x.size() == 4, "refused");
            assertTrue(texts.get(3).contains("\"code\":\"unavailable\""), texts.toString());
            mem.bus.acks = InMemoryBus.Acks.SILENT;
            commands.handle(s, "{\"cmd\":\"send_to_group\",\"group_id\":\"g\",\"message\":\"m\",\"id\":4}");
            texts = await(ws, x -> x.size() == 5, "unconfirmed");
            assertTrue(texts.get(4).contains("\"code\":\"outcome_unknown\""), texts.toString());
        }
    }

    @Test
    void recoversBeyondTheNodesBoundWaitTheirTurnWithOneHistoryRequestInFlight() {
        try (MemoryNode mem = new MemoryNode(Map.of(PushConfig.MAX_HISTORY_REQUESTS, "1"))) {
            for (int i = 1; i <= 10; i++) {
                publish(mem.node, new BusMessage.Broadcast("b" + i));
            }
            List<FakeWebSocket> clients = new ArrayList<>();
            mem.bus.holdHistory();
            for (int i = 0; i < 3; i++) {
                FakeWebSocket ws = new FakeWebSocket(JSON);
                clients.add(ws);
                new ClientCommands(mem.node).handle(mem.open(ws), "{\"cmd\":\"recover\",\"streams\":{"
                        + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":" + (i * 3) + "}}}");
            }
            assertEquals(1, mem.bus.heldHistoryRequests(), "one history request at a time on this node");
            assertEquals(2, mem.node.recoveries().waiting());
            PushFixture.await(() -> {
                mem.bus.releaseHistory();
                mem.bus.holdHistory();
                return mem.node.recoveries().waiting() == 0 && mem.bus.heldHistoryRequests() == 0
                        && clients.stream().allMatch(c -> {
                            c.completeAll(null);
                            return recovered(c.texts());
                        });
            }, "all recovered");
            mem.bus.releaseHistory();
            for (int i = 0; i < 3; i++) {
                List<Long> expected = new ArrayList<>();
                for (long o = i * 3 + 1; o <= 10; o++) {
                    expected.add(o);
                }
                assertEquals(expected, offsets(clients.get(i).texts(), "broadcast"));
            }
        }
    }

    @Test
    void recoverJoinsOnlyGroupsTheConnectionsTokenGrantsAndChangesNothingWhenOneIsRefused() {
        try (MemoryNode mem = new MemoryNode(Map.of(PushConfig.CONNECTION_KEYS,
                "k1:0123456789abcdef0123456789abcdef"))) {
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.node.open(ws.session(),
                    new io.channelpush.push.auth.ConnectionIdentity("u1", List.of("mine-*"), false));
            ws.onClose(f -> mem.node.closed(s));
            ClientCommands commands = new ClientCommands(mem.node);
            commands.handle(s, "{\"cmd\":\"recover\",\"id\":1,\"streams\":{"
                    + "\"group:mine-1\":{\"epoch\":\"mem-1\",\"offset\":0},"
                    + "\"group:theirs\":{\"epoch\":\"mem-1\",\"offset\":0}}}");
            List<String> texts = await(ws, x -> x.size() == 2, "refused");
            assertTrue(texts.get(1).contains("\"code\":\"forbidden\"") && texts.get(1).contains("\"id\":1"),
                    texts.toString());
            assertEquals(java.util.Set.of(), s.groups(), "nothing joined");
            commands.handle(s, "{\"cmd\":\"recover\",\"streams\":{"
                    + "\"group:mine-1\":{\"epoch\":\"mem-1\",\"offset\":0}}}");
            await(ws, NodeRecoveryTest::recovered, "recovered");
            assertEquals(java.util.Set.of("mine-1"), s.groups());
        }
    }
}
