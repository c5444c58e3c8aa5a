package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.channelpush.launcher.Launcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Group membership on both buses: delivery to members only, cleanup on close. */
@ParameterizedClass(name = "on {0}")
@EnumSource(PushFixture.Backend.class)
class GroupTest {
    /** The bus this invocation runs on; the fixture is built from it before the first test. */
    @Parameter
    PushFixture.Backend backend;

    private static PushFixture fx;
    private static Launcher nodeA;
    private static Launcher nodeB;

    @BeforeParameterizedClassInvocation
    static void start(PushFixture.Backend backend) throws Exception {
        fx = new PushFixture(backend);
        nodeA = fx.node("group-a");
        nodeB = fx.node("group-b");
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        fx.close();
    }

    /** The broadcasts a test ended with have reached both nodes before the next test connects (see UserClusterTest). */
    @AfterEach
    void settle() throws Exception {
        fx.settleBroadcasts(nodeA, fx.connect(nodeA), fx.connect(nodeB));
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
}
