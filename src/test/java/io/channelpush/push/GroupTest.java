package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Group membership: delivery to members only, cleanup on close, no leak over many cycles. */
class GroupTest {
    private static PushFixture fx;
    private static Launcher nodeA;
    private static Launcher nodeB;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        nodeA = fx.node("group-a");
        nodeB = fx.node("group-b");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void membersOnBothNodesGetTheMessageOutsidersDoNot() throws Exception {
        TestClient m1 = fx.connect(nodeA);
        TestClient m2 = fx.connect(nodeB);
        TestClient out1 = fx.connect(nodeA);
        TestClient out2 = fx.connect(nodeB);
        PushFixture.command(m1, "{\"cmd\":\"add_group\",\"group_id\":\"123\",\"id\":\"a\"}");
        PushFixture.command(m2, "{\"cmd\":\"add_group\",\"group_id\":123,\"id\":\"b\"}");
        PushFixture.command(out1, "{\"cmd\":\"add_group\",\"group_id\":\"other\",\"id\":\"c\"}");
        out1.send("{\"cmd\":\"send_to_group\",\"group_id\":\"123\",\"message\":\"to 123\"}");
        assertEquals("to 123", m1.next());
        assertEquals("to 123", m2.next());
        fx.get(nodeA, "content=marker");
        assertEquals("marker", out1.next());
        assertEquals("marker", out2.next());
    }

    @Test
    void leaveGroupStopsDelivery() throws Exception {
        TestClient m = fx.connect(nodeA);
        PushFixture.command(m, "{\"cmd\":\"add_group\",\"group_id\":\"leavers\",\"id\":1}");
        PushFixture.command(m, "{\"cmd\":\"leave_group\",\"group_id\":\"leavers\",\"id\":2}");
        fx.get(nodeA, "group_id=leavers&content=gone");
        fx.get(nodeA, "content=marker");
        assertEquals("marker", m.next());
    }

    @Test
    void groupDisappearsWhenItsMembersClose() throws Exception {
        int before = nodeA.node().groupCount();
        TestClient m1 = fx.connect(nodeA);
        TestClient m2 = fx.connect(nodeA);
        PushFixture.command(m1, "{\"cmd\":\"add_group\",\"group_id\":\"ephemeral\",\"id\":1}");
        PushFixture.command(m2, "{\"cmd\":\"add_group\",\"group_id\":\"ephemeral\",\"id\":1}");
        PushFixture.command(m2, "{\"cmd\":\"add_group\",\"group_id\":\"ephemeral-2\",\"id\":2}");
        assertEquals(before + 2, nodeA.node().groupCount());
        m1.close();
        m1.awaitClose();
        PushFixture.await(() -> nodeA.node().groupCount() == before + 2 && nodeA.node().connectionCount() >= 1,
                "group vanished while it still had a member");
        m2.close();
        m2.awaitClose();
        PushFixture.await(() -> nodeA.node().groupCount() == before, "empty groups were left in the map");
    }

    @Test
    void tenThousandConnectJoinCloseCyclesLeaveTheMapEmpty() throws Exception {
        Launcher fresh = fx.node("group-cycles");
        int cycles = 10_000;
        int parallel = 50;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int done = 0;
        while (done < cycles) {
            assertTrue(System.nanoTime() < deadline, "cycles took too long; done " + done);
            List<CompletableFuture<Void>> batch = new ArrayList<>();
            for (int i = 0; i < parallel && done < cycles; i++, done++) {
                int n = done;
                TestClient c = new TestClient();
                batch.add(fx.ws.connect(c, URI.create("ws://127.0.0.1:" + fresh.port(0) + "/"))
                        .thenAccept(session -> {
                            try {
                                c.awaitWelcome();
                                PushFixture.command(c, "{\"cmd\":\"add_group\",\"group_id\":\"cycle-" + (n % 97)
                                        + "\",\"id\":" + n + "}");
                                c.close();
                                c.awaitClose();
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        }));
            }
            CompletableFuture.allOf(batch.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        }
        PushFixture.await(() -> fresh.node().connectionCount() == 0 && fresh.node().groupCount() == 0,
                "after " + cycles + " cycles: " + fresh.node().connectionCount() + " connections, "
                        + fresh.node().groupCount() + " groups left");
        assertEquals(cycles, fresh.node().metrics().connectionsOpened());
    }
}
