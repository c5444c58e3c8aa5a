package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.push.auth.ConnectionIdentity;
import io.channelpush.push.bus.BusMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Users on one {@link PushNode} without sockets ({@link InMemoryBus}, {@link FakeWebSocket}): pushes to a user,
 * {@code bind_uid}, a user's groups and their bounds, and the races a socket test only hits by chance.
 */
class UserDeliveryTest {
    private final MemoryNode mem = new MemoryNode(Map.of(PushConfig.MAX_GROUPS_PER_CONNECTION, "3", PushConfig.MAX_USERS_WITH_GROUPS, "2"));
    private final PushNode node = mem.node;

    @AfterEach
    void stop() {
        mem.close();
    }

    /** What the client received after its welcome line, once {@code n} messages are there. */
    private static List<String> received(FakeWebSocket ws, int n) {
        PushFixture.await(() -> ws.texts().size() >= n + 1, "expected " + n + " messages, got " + ws.texts());
        return ws.texts().subList(1, ws.texts().size());
    }

    @Test
    void aPushToAUserReachesEachOfItsConnectionsOnceAndNoOneElse() {
        FakeWebSocket a1 = new FakeWebSocket();
        FakeWebSocket a2 = new FakeWebSocket();
        FakeWebSocket b = new FakeWebSocket();
        FakeWebSocket anonymous = new FakeWebSocket();
        node.publishUnacked(new BusMessage.BindUid("mem", mem.open(a1).id, "alice", true));
        node.publishUnacked(new BusMessage.BindUid("mem", mem.open(a2).id, "alice", true));
        // binding twice to the same user changes nothing
        node.publishUnacked(new BusMessage.BindUid("mem", mem.open(b).id, "bob", true));
        PushSession anon = mem.open(anonymous);
        node.publishUnacked(new BusMessage.BindUid("mem", node.users().connections("alice").iterator().next().id, "alice", true));
        node.publishUnacked(new BusMessage.ToUser("alice", "for alice"));
        node.publishUnacked(new BusMessage.Broadcast("marker"));
        assertEquals(List.of("for alice", "marker"), received(a1, 2));
        assertEquals(List.of("for alice", "marker"), received(a2, 2));
        assertEquals(List.of("marker"), received(b, 1));
        assertEquals(List.of("marker"), received(anonymous, 1));
        assertNull(anon.uid);
        assertEquals(2, node.users().connections("alice").size());
    }

    @Test
    void rebindingMovesTheConnectionAndUnbindNeedsTheCurrentUser() {
        FakeWebSocket ws = new FakeWebSocket();
        PushSession s = mem.open(ws);
        node.publishUnacked(new BusMessage.BindUid("mem", s.id, "alice", true));
        node.publishUnacked(new BusMessage.BindUid("mem", s.id, "bob", true));
        assertEquals(Set.of(), node.users().connections("alice"));
        assertEquals(Set.of(s), node.users().connections("bob"));
        node.publishUnacked(new BusMessage.BindUid("mem", s.id, "alice", false));
        assertEquals("bob", s.uid, "unbind_uid of another user changed the connection");
        node.publishUnacked(new BusMessage.BindUid("mem", s.id, "bob", false));
        assertNull(s.uid);
        assertEquals(0, node.users().userCount(), "a user without connections or groups kept an entry");
    }

    @Test
    void aConnectionWithATokenKeepsItsTokensUser() {
        FakeWebSocket ws = new FakeWebSocket();
        PushSession s = node.open(ws.session(), new ConnectionIdentity("carol", List.of(), false));
        ws.onClose(f -> node.closed(s));
        node.publishUnacked(new BusMessage.BindUid("mem", s.id, "mallory", true));
        node.publishUnacked(new BusMessage.BindUid("mem", s.id, "carol", false));
        assertEquals("carol", s.uid);
        node.publishUnacked(new BusMessage.ToUser("carol", "hi carol"));
        node.publishUnacked(new BusMessage.ToUser("mallory", "hi mallory"));
        node.publishUnacked(new BusMessage.Broadcast("marker"));
        assertEquals(List.of("hi carol", "marker"), received(ws, 2));
    }

    @Test
    void aUsersGroupsReachItsPresentAndLaterConnectionsUntilRemoved() {
        FakeWebSocket before = new FakeWebSocket();
        node.publishUnacked(new BusMessage.BindUid("mem", mem.open(before).id, "alice", true));
        node.publishUnacked(new BusMessage.UserGroup("alice", "room", true));
        FakeWebSocket after = new FakeWebSocket();
        PushSession later = mem.open(after);
        node.publishUnacked(new BusMessage.BindUid("mem", later.id, "alice", true));
        FakeWebSocket other = new FakeWebSocket();
        mem.open(other);
        node.publishUnacked(new BusMessage.Group("room", "one"));
        node.publishUnacked(new BusMessage.UserGroup("alice", "room", false));
        node.publishUnacked(new BusMessage.Group("room", "two"));
        node.publishUnacked(new BusMessage.Broadcast("marker"));
        assertEquals(List.of("one", "marker"), received(before, 2));
        assertEquals(List.of("one", "marker"), received(after, 2));
        assertEquals(List.of("marker"), received(other, 1));
        assertEquals(0, node.groupCount());
        // unbinding leaves the user's groups
        node.publishUnacked(new BusMessage.UserGroup("alice", "room", true));
        assertEquals(1, node.groupCount());
        node.publishUnacked(new BusMessage.BindUid("mem", later.id, "alice", false));
        assertEquals(Set.of(), later.groups());
    }

    @Test
    void aUsersGroupsOutliveItsConnectionsWithinTheirBounds() {
        node.publishUnacked(new BusMessage.UserGroup("alice", "g1", true));
        node.publishUnacked(new BusMessage.UserGroup("alice", "g2", true));
        node.publishUnacked(new BusMessage.UserGroup("alice", "g3", true));
        assertEquals(UserGroupChange.TOO_MANY_GROUPS, node.checkUserGroup("alice", "g4"));
        node.publishUnacked(new BusMessage.UserGroup("alice", "g4", true));
        assertEquals(Set.of("g1", "g2", "g3"), node.users().groupsOf("alice"));
        assertEquals(UserGroupChange.DONE, node.checkUserGroup("alice", "g1"));
        node.publishUnacked(new BusMessage.UserGroup("bob", "g1", true));
        assertEquals(UserGroupChange.TOO_MANY_USERS, node.checkUserGroup("carol", "g1"));
        node.publishUnacked(new BusMessage.UserGroup("carol", "g1", true));
        assertEquals(Set.of(), node.users().groupsOf("carol"));
        assertEquals(2, node.users().usersWithGroups());
        // a user with groups and no connection is remembered; a new connection of it joins them
        FakeWebSocket ws = new FakeWebSocket();
        PushSession s = mem.open(ws);
        node.publishUnacked(new BusMessage.BindUid("mem", s.id, "bob", true));
        assertEquals(Set.of("g1"), s.groups());
        node.closed(s);
        assertEquals(Set.of("g1"), node.users().groupsOf("bob"));
        node.publishUnacked(new BusMessage.UserGroup("bob", "g1", false));
        assertEquals(1, node.users().usersWithGroups());
        assertEquals(UserGroupChange.DONE, node.checkUserGroup("carol", "g1"));
        assertEquals(1, node.users().userCount(), "bob without groups or connections kept an entry");
    }

    @Test
    void aBindRacingTheCloseLeavesNoUserBehind() throws Exception {
        node.publishUnacked(new BusMessage.UserGroup("racer", "rg", true));
        int rounds = 2_000;
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < rounds; i++) {
                PushSession s = mem.open(new FakeWebSocket());
                String uid = "u" + (i % 5 == 0 ? "racer" : String.valueOf(i % 7));
                String user = uid.equals("uracer") ? "racer" : uid;
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> bind = two.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    node.users().bind(s, user);
                    return null;
                });
                Future<?> close = two.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    node.closed(s);
                    return null;
                });
                bind.get(10, TimeUnit.SECONDS);
                close.get(10, TimeUnit.SECONDS);
                assertNull(s.uid, "round " + i + ": a closed connection still has a user");
                assertTrue(s.groups().isEmpty(), "round " + i + ": a closed connection still lists " + s.groups());
                assertEquals(Set.of(), node.users().connections(user), "round " + i + ": closed connection kept");
                // only racer (with its group) may keep an entry
                assertEquals(1, node.users().userCount(), "round " + i + ": a user entry leaked");
                assertEquals(0, node.groupCount(), "round " + i + ": a closed connection is still in rg");
            }
        } finally {
            two.shutdownNow();
        }
        assertEquals(0, node.connectionCount());
    }
}
