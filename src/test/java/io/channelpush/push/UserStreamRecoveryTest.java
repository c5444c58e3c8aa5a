package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.channelpush.push.JsonFrames.JSON;
import static io.channelpush.push.JsonFrames.JSON_RECOVER;
import static io.channelpush.push.JsonFrames.await;
import static io.channelpush.push.JsonFrames.json;
import static io.channelpush.push.JsonFrames.ofType;

import com.google.gson.JsonObject;
import io.channelpush.push.auth.ConnectionIdentity;
import io.channelpush.push.bus.BusMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pushes to a user as the recoverable stream {@code uid:<U>}, without sockets ({@link MemoryNode}): positions on a
 * user's JSON connections, the welcome's position, a recover that replays only the user's own pushes after the
 * client's offset (once, in order, then live; none delivered live before the recover again), and another user's
 * stream answered {@code false} with nothing of it replayed.
 */
class UserStreamRecoveryTest {

    /** The contents of a stream's messages, in arrival order. */
    private static List<String> contents(List<String> texts, String stream) {
        List<String> out = new ArrayList<>();
        for (JsonObject o : ofType(texts, "message")) {
            if (o.get("stream").getAsString().equals(stream)) {
                out.add(o.get("content").getAsString());
            }
        }
        return out;
    }

    private static PushSession openAs(MemoryNode mem, FakeWebSocket ws, String uid) {
        PushSession s = mem.node.open(ws.session(), new ConnectionIdentity(uid, List.of(), false));
        ws.onClose(f -> mem.node.closed(s));
        return s;
    }

    private static void toUser(MemoryNode mem, String uid, String content) {
        mem.node.publishAcked(new BusMessage.ToUser(uid, content)).join();
    }

    private static List<String> names(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Test
    void aUsersJsonConnectionsGetItsPushesAsItsStreamWithPositionsWhileTextConnectionsStayPlain() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            toUser(mem, "bob", "before");
            FakeWebSocket j = new FakeWebSocket(JSON);
            FakeWebSocket t = new FakeWebSocket();
            PushSession js = openAs(mem, j, "alice");
            openAs(mem, t, "alice");
            mem.node.publishAcked(new BusMessage.UserGroup("alice", "g1", true)).join();
            toUser(mem, "alice", "hi \"alice\"");
            List<String> jt = await(j, x -> x.size() == 2, "json frames");
            assertEquals(json("{\"type\":\"welcome\",\"worker_id\":\"mem\",\"connection_id\":" + js.id
                    + ",\"streams\":{\"uid:alice\":{\"epoch\":\"mem-1\",\"offset\":1}}}"), json(jt.get(0)),
                    "the welcome carries the user stream's position: the last push to a user the node delivered");
            assertEquals(json("{\"type\":\"message\",\"stream\":\"uid:alice\",\"epoch\":\"mem-1\",\"offset\":3,"
                    + "\"content\":\"hi \\\"alice\\\"\"}"), json(jt.get(1)),
                    "offsets of the shared u stream: bob's push and alice's group change took 1 and 2");
            List<String> tt = await(t, x -> x.size() == 2, "text frames");
            assertTrue(tt.get(0).startsWith("workerID:mem connectionID:"));
            assertEquals("hi \"alice\"", tt.get(1));
        }
    }

    @Test
    void aReconnectingUserRecoversExactlyItsMissedPushesOnceInOrderThenLiveOnes() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            FakeWebSocket first = new FakeWebSocket(JSON);
            PushSession s1 = openAs(mem, first, "alice");
            toUser(mem, "alice", "a0");
            JsonObject last = ofType(await(first, x -> x.size() == 2, "a0"), "message").get(0);
            s1.close(CloseCode.SHUTDOWN);
            // while away: alice's pushes among bob's, group changes and broadcasts
            for (int i = 1; i <= 300; i++) {
                toUser(mem, "alice", "a" + i);
                toUser(mem, "bob", "b" + i);
                if (i % 50 == 0) {
                    mem.node.publishAcked(new BusMessage.UserGroup("alice", "g" + i, true)).join();
                    mem.node.publishUnacked(new BusMessage.Broadcast("x" + i));
                }
            }
            FakeWebSocket again = new FakeWebSocket(JSON_RECOVER);
            PushSession s2 = openAs(mem, again, "alice");
            toUser(mem, "alice", "a301"); // live before the recover: held for it, comes after the missed ones
            mem.bus.holdHistory();
            new ClientCommands(mem.node).handle(s2, "{\"cmd\":\"recover\",\"id\":5,\"streams\":{\"uid:alice\":{"
                    + "\"epoch\":\"" + last.get("epoch").getAsString() + "\",\"offset\":"
                    + last.get("offset").getAsLong() + "}}}");
            PushFixture.await(() -> mem.bus.heldHistoryRequests() == 1, "the first history request");
            toUser(mem, "alice", "a302"); // races the replay: held by the recovery
            mem.bus.releaseHistory();
            await(again, x -> !ofType(x, "recovered").isEmpty(), "recovered");
            toUser(mem, "alice", "a303");
            List<String> texts = await(again, x -> contents(x, "uid:alice").contains("a303"), "a live push");
            assertEquals(names("a", 1, 303), contents(texts, "uid:alice"), "each missed push once, in order, then live");
            assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"uid:alice\":true},\"id\":5}"),
                    ofType(texts, "recovered").get(0));
            assertTrue(texts.stream().noneMatch(x -> x.contains("\"b1\"")), "nothing of bob's");
        }
    }

    @Test
    void pushesDeliveredLiveBetweenTheWelcomeAndTheRecoverAreNotReplayedAgain() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            for (int i = 1; i <= 5; i++) {
                toUser(mem, "alice", "a" + i);
            }
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = openAs(mem, ws, "alice");
            toUser(mem, "alice", "a6");
            toUser(mem, "alice", "a7");
            await(ws, x -> contents(x, "uid:alice").size() == 2, "a6 and a7 live");
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"id\":1,\"streams\":{"
                    + "\"uid:alice\":{\"epoch\":\"mem-1\",\"offset\":2}}}");
            List<String> texts = await(ws, x -> !ofType(x, "recovered").isEmpty(), "recovered");
            assertEquals(List.of("a6", "a7", "a3", "a4", "a5"), contents(texts, "uid:alice"),
                    "the live ones first, then the missed ones, none twice");
        }
    }

    @Test
    void anotherUsersStreamIsAnsweredFalseAndNothingOfItIsReplayedWhileTheOtherStreamsRecover() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            mem.node.publishUnacked(new BusMessage.Broadcast("x1"));
            toUser(mem, "bob", "secret for bob");
            toUser(mem, "alice", "for alice");
            mem.node.publishUnacked(new BusMessage.Broadcast("x2"));
            FakeWebSocket ws = new FakeWebSocket(JSON_RECOVER);
            PushSession s = openAs(mem, ws, "alice");
            ClientCommands commands = new ClientCommands(mem.node);
            commands.handle(s, "{\"cmd\":\"recover\",\"id\":1,\"streams\":{"
                    + "\"broadcast\":{\"epoch\":\"mem-1\",\"offset\":0},"
                    + "\"uid:bob\":{\"epoch\":\"mem-1\",\"offset\":0},"
                    + "\"uid:alice\":{\"epoch\":\"mem-1\",\"offset\":0}}}");
            List<String> texts = await(ws, x -> !ofType(x, "recovered").isEmpty(), "recovered");
            assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"broadcast\":true,\"uid:bob\":false,"
                    + "\"uid:alice\":true},\"id\":1}"), ofType(texts, "recovered").get(0));
            assertEquals(List.of("x1", "x2"), contents(texts, "broadcast"));
            assertEquals(List.of("for alice"), contents(texts, "uid:alice"));
            assertTrue(texts.stream().noneMatch(x -> x.contains("secret for bob")), "never another user's push");

            FakeWebSocket anonymous = new FakeWebSocket(JSON);
            PushSession anon = mem.open(anonymous);
            commands.handle(anon, "{\"cmd\":\"recover\",\"id\":2,\"streams\":{"
                    + "\"uid:alice\":{\"epoch\":\"mem-1\",\"offset\":0}}}");
            texts = await(anonymous, x -> !ofType(x, "recovered").isEmpty(), "recovered");
            assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"uid:alice\":false},\"id\":2}"),
                    ofType(texts, "recovered").get(0), "a connection without a user recovers no user's stream");
            assertTrue(contents(texts, "uid:alice").isEmpty());
            assertFalse(s.streams().awaiting());
        }
    }

    @Test
    void aConnectionBoundWithBindUidRecoversItsUsersStreamOnceBound() {
        try (MemoryNode mem = new MemoryNode(Map.of())) {
            toUser(mem, "carol", "c1");
            toUser(mem, "carol", "c2");
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.open(ws);
            mem.node.publishUnacked(new BusMessage.BindUid("mem", s.id, "carol", true));
            PushFixture.await(() -> "carol".equals(s.uid), "bound");
            new ClientCommands(mem.node).handle(s, "{\"cmd\":\"recover\",\"id\":1,\"streams\":{"
                    + "\"uid:carol\":{\"epoch\":\"mem-1\",\"offset\":1}}}");
            List<String> texts = await(ws, x -> !ofType(x, "recovered").isEmpty(), "recovered");
            assertEquals(List.of("c2"), contents(texts, "uid:carol"));
            assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"uid:carol\":true},\"id\":1}"),
                    ofType(texts, "recovered").get(0));
        }
    }
}
