package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * On a bus whose publishes may wait (NATS), a client's commands and the node's one publish thread
 * ({@link PublishDispatch}), without sockets ({@link MemoryNode}): {@code add_group} and {@code leave_group} never
 * wait on the bus, so they are answered even while the publish thread is stuck and its queue full, where
 * {@code send_to_group} is refused {@code unavailable}; and a connection's commands keep their order: an
 * {@code add_group} behind a queued {@code send_to_group} of the same connection waits for it.
 */
class CommandQueueTest {
    private static final Map<String, List<String>> JSON = Map.of("format", List.of("json"));

    @Test
    void joinAndLeaveAreAnsweredWhileThePublishThreadIsStuckAndItsQueueFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (MemoryNode mem = new MemoryNode(Map.of(), true)) {
            PublishDispatch dispatch = mem.node.publishDispatch();
            assertTrue(dispatch.busMayWait());
            CountDownLatch stuck = new CountDownLatch(1);
            assertTrue(dispatch.run(() -> {
                stuck.countDown();
                awaitQuietly(release);
            }));
            assertTrue(stuck.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < PublishDispatch.QUEUE_BOUND; i++) {
                assertTrue(dispatch.run(() -> { }), "task " + i + " fits the queue");
            }
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.open(ws);
            ClientCommands commands = new ClientCommands(mem.node);
            commands.handle(s, "{\"cmd\":\"add_group\",\"id\":1,\"group_id\":\"g1\"}");
            commands.handle(s, "{\"cmd\":\"add_group\",\"id\":2,\"group_id\":\"g2\"}");
            commands.handle(s, "{\"cmd\":\"leave_group\",\"id\":3,\"group_id\":\"g2\"}");
            List<JsonObject> replies = replies(ws, 3);
            assertEquals(List.of("ack", "ack", "ack"), replies.stream().map(r -> r.get("type").getAsString()).toList(),
                    "answered while the publish thread is stuck: " + replies);
            assertEquals(List.of(1, 2, 3), replies.stream().map(r -> r.get("id").getAsInt()).toList());
            assertEquals(java.util.Set.of("g1"), s.groups());

            commands.handle(s, "{\"cmd\":\"send_to_group\",\"id\":4,\"group_id\":\"g1\",\"message\":\"m\"}");
            JsonObject refused = replies(ws, 4).get(3);
            assertEquals("error", refused.get("type").getAsString(), refused.toString());
            assertEquals("unavailable", refused.get("code").getAsString(), "send_to_group still needs the queue");
            release.countDown();
        } finally {
            release.countDown();
        }
    }

    @Test
    void anAddGroupBehindAQueuedSendToGroupOfTheSameConnectionWaitsForIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (MemoryNode mem = new MemoryNode(Map.of(), true)) {
            PublishDispatch dispatch = mem.node.publishDispatch();
            CountDownLatch stuck = new CountDownLatch(1);
            assertTrue(dispatch.run(() -> {
                stuck.countDown();
                awaitQuietly(release);
            }));
            assertTrue(stuck.await(10, TimeUnit.SECONDS));
            FakeWebSocket ws = new FakeWebSocket(JSON);
            PushSession s = mem.open(ws);
            FakeWebSocket other = new FakeWebSocket(JSON);
            PushSession o = mem.open(other);
            ClientCommands commands = new ClientCommands(mem.node);
            commands.handle(s, "{\"cmd\":\"send_to_group\",\"id\":1,\"group_id\":\"g1\",\"message\":\"before\"}");
            commands.handle(s, "{\"cmd\":\"add_group\",\"id\":2,\"group_id\":\"g1\"}");
            commands.handle(o, "{\"cmd\":\"add_group\",\"id\":3,\"group_id\":\"g1\"}");
            assertEquals(3, replies(other, 1).get(0).get("id").getAsInt(), "another connection is not held up");
            assertEquals(2, s.commandsQueued(), "the send_to_group, and the add_group behind it, wait");
            assertTrue(s.groups().isEmpty(), "not joined before the send_to_group ran");
            release.countDown();
            List<JsonObject> replies = replies(ws, 2);
            assertEquals(List.of(1, 2), replies.stream().map(r -> r.get("id").getAsInt()).toList(),
                    "in the connection's order: " + replies);
            PushFixture.await(() -> s.commandsQueued() == 0, "the queued commands ran");
            // the group message was sent before this connection joined: only the other member got it
            List<JsonObject> theOthers = replies(other, 2);
            assertEquals("before", theOthers.get(1).get("content").getAsString(), theOthers.toString());
        } finally {
            release.countDown();
        }
    }

    /** The first {@code n} frames (after the welcome) the connection got, waiting up to 10 s for them. */
    private static List<JsonObject> replies(FakeWebSocket ws, int n) {
        PushFixture.await(() -> {
            ws.completeAll(null);
            return ws.texts().size() >= n + 1;
        }, "expected " + n + " frames after the welcome: " + ws.texts());
        return ws.texts().subList(1, n + 1).stream().map(t -> JsonParser.parseString(t).getAsJsonObject()).toList();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
