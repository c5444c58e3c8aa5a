package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import io.channelpush.push.bus.Channels;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The users' groups when the channel daemon restarts with an empty store (a new epoch: every node's {@code u} stream
 * resumes with a gap, so each marks its table incomplete and looks for a node to copy from): no node's table is
 * complete, so each keeps its own, and a node started afterwards copies it.
 */
class UserGroupGapTest {
    private PushFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new PushFixture();
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    @Test
    void nodesThatAllMissedChangesKeepTheirUsersGroupsAndANodeStartedLaterCopiesThem() throws Exception {
        Launcher a = fx.node(null);
        Launcher b = fx.node(null);
        assertEquals("ok", fx.get(a, "uid=ivy&add_group=room-1").getContentAsString());
        for (Launcher n : new Launcher[] {a, b}) {
            PushFixture.await(() -> n.node().users().groupsOf("ivy").contains("room-1"), "never heard the group");
            PushFixture.await(() -> n.node().users().groupsComplete(), "the first copy never ended");
        }
        fx.stopDaemon();
        fx.restartDaemonEmpty();
        for (Launcher n : new Launcher[] {a, b}) {
            // b, g and u: once u's gap is counted, the node has marked its users' groups incomplete
            PushFixture.await(() -> n.node().metrics().streamGaps() == 3, "not every stream resumed with a gap "
                    + "after the daemon's new epoch: " + n.node().metrics().streamGaps());
        }
        for (Launcher n : new Launcher[] {a, b}) {
            PushFixture.await(() -> n.node().users().groupsComplete(), "the copy after the gap never ended");
            assertEquals(Set.of("room-1"), n.node().users().groupsOf("ivy"), "a node lost a user's group");
            String metrics = fx.fetch(n, "/metrics").getContentAsString();
            assertTrue(metrics.contains("\nchannelpush_user_groups_complete 1"), metrics.lines()
                    .filter(l -> l.contains("user_groups")).toList().toString());
            assertTrue(fx.fetch(n, "/health/ready").getContentAsString().contains("\"user_groups\":\"complete\""));
        }
        fx.awaitSubscribers(Channels.USERS, 2);
        assertEquals("ok", fx.get(b, "uid=ivy&add_group=room-2").getContentAsString());
        Launcher c = fx.node(null);
        PushFixture.await(() -> c.node().users().groupsOf("ivy").equals(Set.of("room-1", "room-2")),
                "the node started later never copied the user's groups: " + c.node().users().groupsOf("ivy"));
        TestClient onC = fx.connect(c);
        assertEquals("ok", fx.get(a, "bind_uid=ivy&to_worker_id=" + onC.workerId + "&to_connection_id="
                + onC.connectionId).getContentAsString());
        PushFixture.await(() -> c.node().groupCount() == 2, "the connection never joined the user's groups");
    }
}
