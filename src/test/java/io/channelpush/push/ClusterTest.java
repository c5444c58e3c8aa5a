package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** One bus (a daemon or a NATS server), two nodes in one JVM, clients on both. */
@ParameterizedClass(name = "on {0}")
@EnumSource(PushFixture.Backend.class)
class ClusterTest {
    /** The bus this invocation runs on; the fixture is built from it before the first test. */
    @Parameter
    PushFixture.Backend backend;

    private static PushFixture fx;
    private static Launcher nodeA;
    private static Launcher nodeB;

    @BeforeParameterizedClassInvocation
    static void start(PushFixture.Backend backend) throws Exception {
        fx = new PushFixture(backend);
        nodeA = fx.node(null);
        nodeB = fx.node(null);
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
    void defaultWorkerIdsDiffer() {
        assertNotEquals(nodeA.node().workerId(), nodeB.node().workerId());
    }

    @Test
    void broadcastPublishedOnBReachesClientsOnBothNodes() throws Exception {
        TestClient onA = fx.connect(nodeA);
        TestClient onB = fx.connect(nodeB);
        assertEquals(nodeA.node().workerId(), onA.workerId);
        assertEquals(nodeB.node().workerId(), onB.workerId);
        assertEquals("ok", fx.get(nodeB, "content=to-all").getContentAsString());
        assertEquals("to-all", onA.next());
        assertEquals("to-all", onB.next());
    }

    @Test
    void targetedPushFromBReachesAConnectionOnA() throws Exception {
        TestClient onA = fx.connect(nodeA);
        TestClient otherOnA = fx.connect(nodeA);
        TestClient onB = fx.connect(nodeB);
        assertEquals("ok", fx.get(nodeB, "to_worker_id=" + onA.workerId + "&to_connection_id=" + onA.connectionId
                + "&content=for-a").getContentAsString());
        assertEquals("for-a", onA.next());
        fx.get(nodeB, "content=marker");
        assertEquals("marker", otherOnA.next());
        assertEquals("marker", onB.next());
    }

    @Test
    void sameConnectionIdOnTheOtherNodeIsNotReached() throws Exception {
        // Connection ids are per node: the worker id is what makes the target unique in the cluster.
        TestClient onA = fx.connect(nodeA);
        TestClient onB = fx.connect(nodeB);
        fx.get(nodeA, "to_worker_id=" + onB.workerId + "&to_connection_id=" + onA.connectionId + "&content=x");
        fx.get(nodeA, "content=marker");
        assertEquals("marker", onA.next());
    }

    @Test
    void groupMessageFromASocketOnBReachesMembersOnBothNodes() throws Exception {
        TestClient memberA = fx.connect(nodeA);
        TestClient memberB = fx.connect(nodeB);
        TestClient outsider = fx.connect(nodeA);
        PushFixture.command(memberA, "{\"cmd\":\"add_group\",\"group_id\":\"cluster-g\",\"id\":1}");
        PushFixture.command(memberB, "{\"cmd\":\"add_group\",\"group_id\":\"cluster-g\",\"id\":2}");
        memberB.send("{\"cmd\":\"send_to_group\",\"group_id\":\"cluster-g\",\"message\":\"hi group\"}");
        assertEquals("hi group", memberA.next());
        assertEquals("hi group", memberB.next());
        assertEquals("ok", fx.get(nodeB, "group_id=cluster-g&content=from-http").getContentAsString());
        assertEquals("from-http", memberA.next());
        assertEquals("from-http", memberB.next());
        fx.get(nodeB, "content=marker");
        assertEquals("marker", outsider.next(), "the outsider got a group message");
    }

    @Test
    void workerIdsThatSpellAnotherKindOfTrafficReachNoOne() throws Exception {
        TestClient onA = fx.connect(nodeA);
        TestClient onB = fx.connect(nodeB);
        PushFixture.command(onA, "{\"cmd\":\"add_group\",\"group_id\":\"g\",\"id\":1}");
        String a = nodeA.node().workerId();
        for (String worker : new String[] {"broadcast", "send_to_group", "b", "g", "w:" + a, "w", a + ".x"}) {
            assertEquals("ok", fx.get(nodeB, "to_worker_id=" + worker + "&to_connection_id=" + onA.connectionId
                    + "&content=leak-" + worker).getContentAsString());
        }
        // a group named like a worker id (or like a kind) is a group: only its members get it
        assertEquals("ok", fx.get(nodeB, "group_id=" + a + "&content=leak-group").getContentAsString());
        assertEquals("ok", fx.get(nodeB, "group_id=b&content=leak-group-b").getContentAsString());
        assertEquals("ok", fx.get(nodeB, "group_id=w%3A" + a + "&content=leak-group-w").getContentAsString());
        fx.get(nodeB, "content=marker");
        assertEquals("marker", onA.next(), "a publish reached a client through another kind's namespace");
        assertEquals("marker", onB.next(), "a publish reached a client through another kind's namespace");
    }

    @Test
    void thePublisherRefusesWorkerIdsNoNodeCanHave() throws Exception {
        TestClient onA = fx.connect(nodeA);
        for (String worker : new String[] {"two%20words", "*", "%3E", "a%2Fb", "x".repeat(65), "caf%C3%A9"}) {
            var r = fx.get(nodeB, "to_worker_id=" + worker + "&to_connection_id=1&content=x");
            assertEquals(400, r.getStatus(), worker);
            assertTrue(r.getContentAsString().startsWith("to_worker_id must be 1-64 of"), r.getContentAsString());
        }
        fx.get(nodeB, "content=marker");
        assertEquals("marker", onA.next());
    }
}
