package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.push.bus.BusMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A whole {@link PushNode} without sockets: an {@link InMemoryBus} and fake Jakarta sessions
 * ({@link FakeWebSocket}), so that deliveries run through the node's own sender threads and the portable
 * {@link JakartaFrameSender}. Covers what a socket test can only hit by chance: a group join racing the
 * connection's close.
 */
class NodeDeliveryTest {
    private final MemoryNode mem = new MemoryNode(Map.of());
    private final PushNode node = mem.node;
    private final InMemoryBus bus = mem.bus;

    @AfterEach
    void stop() {
        mem.close();
    }

    /** The fake reports every write done as soon as it is handed over, like a client that keeps reading. */
    private static void keepReading(FakeWebSocket ws) {
        ws.completeAll(null);
    }

    @Test
    void publishesThroughTheBusReachTheirConnectionsInOrder() {
        List<FakeWebSocket> clients = List.of(new FakeWebSocket(), new FakeWebSocket(), new FakeWebSocket());
        List<PushSession> sessions = new ArrayList<>();
        for (FakeWebSocket ws : clients) {
            sessions.add(mem.open(ws));
        }
        node.join(sessions.get(0), "g");
        node.publishUnacked(new BusMessage.Broadcast("one"));
        node.publishUnacked(new BusMessage.Group("g", "two"));
        node.publishUnacked(new BusMessage.Targeted("mem", sessions.get(2).id, "three"));
        PushFixture.await(() -> clients.get(0).texts().size() == 3 && clients.get(1).texts().size() == 2
                && clients.get(2).texts().size() == 3, "deliveries missing: " + clients.stream()
                .map(FakeWebSocket::texts).toList());
        assertEquals(List.of("one", "two"), clients.get(0).texts().subList(1, 3));
        assertEquals(List.of("one"), clients.get(1).texts().subList(1, 2));
        assertEquals(List.of("one", "three"), clients.get(2).texts().subList(1, 3));
        assertTrue(clients.get(0).texts().get(0).startsWith("workerID:mem connectionID:"));
        clients.forEach(NodeDeliveryTest::keepReading);
        assertEquals(5, node.metrics().delivered.sum(), "three broadcasts, one group message, one push");
    }

    @Test
    void groupJoinRacingTheCloseLeavesNoMembershipBehind() throws Exception {
        int rounds = 2_000;
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < rounds; i++) {
                FakeWebSocket ws = new FakeWebSocket();
                PushSession s = mem.open(ws);
                String group = "g" + (i % 7);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> join = two.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    node.join(s, group);
                    return null;
                });
                Future<?> close = two.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    node.closed(s);
                    return null;
                });
                join.get(10, TimeUnit.SECONDS);
                close.get(10, TimeUnit.SECONDS);
                assertTrue(s.groups().isEmpty(), "round " + i + ": a closed connection still lists " + s.groups());
                // every connection so far is closed: any group left is a leaked membership
                assertEquals(0, node.groupCount(), "round " + i + ": a closed connection is still in " + group);
            }
        } finally {
            two.shutdownNow();
        }
        assertEquals(0, node.groupCount(), "groups kept alive by closed connections");
        assertEquals(0, node.connectionCount());
    }

    @Test
    void refusedGroupMessagesGetTheirErrorCodesAndAcknowledgedOnesAnAck() {
        FakeWebSocket ws = new FakeWebSocket();
        PushSession s = mem.open(ws);
        ClientCommands commands = new ClientCommands(node);
        String big = "x".repeat(node.config().maxContentBytes() + 1);
        commands.handle(s, "{\"cmd\":\"send_to_group\",\"group_id\":\"g\",\"message\":\"" + big + "\",\"id\":1}");
        bus.available = false;
        commands.handle(s, "{\"cmd\":\"send_to_group\",\"group_id\":\"g\",\"message\":\"m\",\"id\":2}");
        bus.available = true;
        commands.handle(s, "{\"cmd\":\"send_to_group\",\"group_id\":\"g\",\"message\":\"m\",\"id\":3}");
        PushFixture.await(() -> ws.texts().size() == 4, "replies missing: " + ws.texts());
        List<String> replies = ws.texts().subList(1, 4);
        assertTrue(replies.get(0).contains("\"code\":\"too_large\"") && replies.get(0).contains("\"id\":1"),
                replies.get(0));
        assertTrue(replies.get(1).contains("\"code\":\"unavailable\"") && replies.get(1).contains("\"id\":2"),
                replies.get(1));
        assertEquals("{\"type\":\"ack\",\"id\":3,\"cmd\":\"send_to_group\"}", replies.get(2));
    }

    @Test
    void stoppingTheNodeClosesEveryConnectionWith1001ThroughItsQueue() {
        List<FakeWebSocket> clients = List.of(new FakeWebSocket(), new FakeWebSocket());
        clients.forEach(mem::open);
        node.close();
        for (FakeWebSocket ws : clients) {
            assertEquals(1001, ws.closeReason().getCloseCode().getCode());
            assertEquals("node shutting down", ws.closeReason().getReasonPhrase());
        }
        assertEquals(0, node.connectionCount());
    }
}
