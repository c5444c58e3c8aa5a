package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.channelpush.push.bus.BusMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Presence events on one {@link PushNode} without sockets ({@link InMemoryBus}, {@link FakeWebSocket}), with
 * {@code channelpush.presence-events=room:}: a node's own counting per (group, user) and what its members receive.
 */
class MemberEventsTest {
    private final MemoryNode mem = new MemoryNode(Map.of(PushConfig.PRESENCE_EVENTS, "room:"));
    private final PushNode node = mem.node;

    @AfterEach
    void stop() {
        mem.close();
    }

    @BeforeEach
    void settle() {
        // the node re-announces itself once it first hears itself: what it announced before then is replaced, so
        // a join and leave queued before it would not show
        PushFixture.await(() -> node.memberEvents().syncsSent() > 0, "the node never re-announced itself");
    }

    private PushSession open(FakeWebSocket ws, String uid) {
        PushSession s = mem.open(ws);
        if (uid != null) {
            node.publishUnacked(new BusMessage.BindUid("mem", s.id, uid, true));
        }
        return s;
    }

    private static FakeWebSocket json() {
        return new FakeWebSocket(Map.of("format", List.of("json")));
    }

    /** The client's messages after its welcome, once the last one is {@code last}. */
    private static List<String> until(FakeWebSocket ws, String last) {
        PushFixture.await(() -> {
            List<String> t = ws.texts();
            return !t.isEmpty() && t.get(t.size() - 1).equals(last);
        }, "never got " + last + ": " + ws.texts());
        return ws.texts().subList(1, ws.texts().size());
    }

    private static String event(String type, String group, String uid) {
        return "{\"type\":\"" + type + "\",\"group\":\"" + group + "\",\"uid\":\"" + uid + "\"}";
    }

    @Test
    void aUsersTabsJoinOnceAndLeaveOnceAndAnonymousPlainAndOutOfScopeGroupsMakeOrGetNothing() {
        FakeWebSocket watcherWs = json();
        PushSession watcher = open(watcherWs, "w");
        node.join(watcher, "room:1");
        node.join(watcher, "news");
        FakeWebSocket plainWs = new FakeWebSocket();
        node.join(open(plainWs, "p"), "room:1");
        PushSession tab1 = open(json(), "alice");
        PushSession tab2 = open(json(), "alice");
        node.join(tab1, "room:1");
        node.join(tab2, "room:1");
        node.join(tab1, "news");
        node.join(open(json(), null), "room:1");
        node.leave(tab1, "room:1");
        // unbinding the user id leaves its groups as far as presence goes: the connection is anonymous now
        node.publishUnacked(new BusMessage.BindUid("mem", tab2.id, "alice", false));
        node.join(open(json(), "zed"), "room:1");
        assertEquals(List.of(event("join", "room:1", "w"), event("join", "room:1", "p"),
                event("join", "room:1", "alice"), event("leave", "room:1", "alice"), event("join", "room:1", "zed")),
                until(watcherWs, event("join", "room:1", "zed")));
        assertEquals(1, plainWs.texts().size(), "a plain member got " + plainWs.texts());
        // w, p and zed in room:1; alice's connections count for nothing any more, news is out of scope
        assertEquals(3, node.memberEvents().localPairs());
        assertEquals(1, node.memberEvents().nodesWith("room:1", "zed"));
        assertEquals(0, node.memberEvents().nodesWith("room:1", "alice"));
    }

    @Test
    void bindingAUserIdToAConnectionAlreadyInAGroupIsAJoinAndClosingItsLastConnectionALeave() {
        FakeWebSocket watcherWs = json();
        node.join(open(watcherWs, "w"), "room:2");
        FakeWebSocket late = json();
        PushSession s = open(late, null);
        node.join(s, "room:2");
        node.publishUnacked(new BusMessage.BindUid("mem", s.id, "bea", true));
        until(watcherWs, event("join", "room:2", "bea"));
        node.closed(s); // as the container's onClose, when the client goes
        assertEquals(List.of(event("join", "room:2", "w"), event("join", "room:2", "bea"),
                event("leave", "room:2", "bea")), until(watcherWs, event("leave", "room:2", "bea")));
        assertEquals(1, node.memberEvents().localPairs());
    }
}
