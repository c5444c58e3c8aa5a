package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import io.channelpush.push.auth.PublishSigner;
import io.channelpush.push.bus.Channels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Users across a cluster, on each bus: three anonymous nodes (users bound with {@code bind_uid}) and a fourth whose
 * connections carry tokens and whose publisher wants a bearer token or a signature. Pushes to a user, a user's
 * groups, and the publisher's refusals.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(PushFixture.Backend.class)
class UserClusterTest {
    private static final String KEY = "a-connection-key-of-at-least-32-bytes!";

    @Parameter
    PushFixture.Backend backend;

    private static PushFixture fx;
    private static Launcher a;
    private static Launcher b;
    private static Launcher c;
    /** Connection tokens on, publisher authenticated (bearer {@code tok-u}, or signed with {@code k1:secret-u-0123456789abcdefghijklmnopq}). */
    private static Launcher t;

    @BeforeParameterizedClassInvocation
    static void start(PushFixture.Backend backend) throws Exception {
        fx = new PushFixture(backend);
        a = fx.node(null);
        b = fx.node(null);
        c = fx.node(null);
        t = fx.node(null, "--set", "channelpush.connection-keys=k1:" + KEY,
                "--set", "channelpush.publish-tokens=tok-u", "--set", "channelpush.publish-keys=k1:secret-u-0123456789abcdefghijklmnopq");
        if (backend == PushFixture.Backend.DAEMON) {
            fx.awaitSubscribers(Channels.USERS, 4);
        }
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        fx.close();
    }

    /**
     * The broadcasts a test ended with (its markers) have reached every node before the next test connects: one
     * still on its way to a node would reach the next test's fresh connections there.
     */
    @AfterEach
    void settle() throws Exception {
        fx.settleBroadcasts(a, fx.connect(a), fx.connect(b), fx.connect(c), withToken(unique("fence")));
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Binds {@code client} (on {@code home}) to {@code uid} through {@code via}'s publisher; waits until it holds. */
    private static void bind(Launcher via, Launcher home, TestClient client, String uid) throws Exception {
        ContentResponse r = fx.get(via, "bind_uid=" + uid + "&to_worker_id=" + client.workerId + "&to_connection_id="
                + client.connectionId);
        assertEquals("ok", r.getContentAsString());
        PushFixture.await(() -> home.node().users().connections(uid).stream()
                .anyMatch(s -> s.id == client.connectionId), "bind_uid never reached " + client.workerId);
    }

    private static TestClient withToken(String uid) throws Exception {
        String token = ConnectionTokenTest.hs256("k1", KEY, ConnectionTokenTest.claims(uid).build());
        return fx.connect(t, "/", "Bearer " + token);
    }

    private static ContentResponse authorized(String query) throws Exception {
        return fx.http.newRequest("http://127.0.0.1:" + t.port(1) + "/?" + query)
                .headers(h -> h.put("Authorization", "Bearer tok-u")).timeout(10, TimeUnit.SECONDS).send();
    }

    /** Every node has heard that {@code uid} has (or has not) {@code group}. */
    private static void awaitUserGroup(String uid, String group, boolean has) {
        for (Launcher n : new Launcher[] {a, b, c, t}) {
            PushFixture.await(() -> n.node().users().groupsOf(uid).contains(group) == has,
                    "node " + n.node().workerId() + " never heard that " + uid + (has ? " has " : " left ") + group);
        }
    }

    @Test
    void aUserWithConnectionsOnFourNodesGetsEachPushOncePerConnectionAndNoOneElseDoes() throws Exception {
        String uid = unique("alice");
        TestClient onA = fx.connect(a);
        TestClient onB = fx.connect(b);
        TestClient onC = fx.connect(c);
        TestClient onT = withToken(uid);
        TestClient otherUser = fx.connect(a);
        TestClient anonymous = fx.connect(c);
        TestClient otherWithToken = withToken(unique("bob"));
        bind(c, a, onA, uid);
        bind(a, b, onB, uid);
        bind(b, c, onC, uid);
        bind(b, a, otherUser, unique("carol"));
        long before = b.node().metrics().publishedToUser();
        assertEquals("ok", fx.get(b, "to_uid=" + uid + "&content=for-alice-1").getContentAsString());
        assertEquals(before + 1, b.node().metrics().publishedToUser());
        assertTrue(fx.fetch(b, "/metrics").getContentAsString().contains("channelpush_publishes_total{kind=\"user\"}"));
        assertEquals("ok", authorized("to_uid=" + uid + "&content=for-alice-2").getContentAsString());
        // Publishes through different nodes are not ordered with each other: each publisher ends with a marker of
        // its own, which follows everything that publisher sent before it (a duplicate included).
        fx.get(b, "content=end-b");
        authorized("content=end-t");
        for (TestClient mine : new TestClient[] {onA, onB, onC, onT}) {
            assertEquals(List.of("end-b", "end-t", "for-alice-1", "for-alice-2"), untilEnds(mine),
                    "each push to the user once per connection");
        }
        for (TestClient other : new TestClient[] {otherUser, anonymous, otherWithToken}) {
            assertEquals(List.of("end-b", "end-t"), untilEnds(other), "a push to another user arrived");
        }
    }

    /** What {@code c} received until both end markers arrived, sorted. */
    private static List<String> untilEnds(TestClient c) throws InterruptedException {
        List<String> got = new ArrayList<>();
        while (!got.contains("end-b") || !got.contains("end-t")) {
            got.add(c.next());
        }
        Collections.sort(got);
        return got;
    }

    @Test
    void bindUidMovesAConnectionToAnotherUserAndUnbindUidEndsIt() throws Exception {
        String first = unique("dave");
        String second = unique("erin");
        TestClient onB = fx.connect(b);
        bind(a, b, onB, first);
        bind(c, b, onB, second);
        PushFixture.await(() -> b.node().users().connections(first).isEmpty(), "the old user kept the connection");
        fx.get(a, "to_uid=" + first + "&content=old");
        fx.get(a, "to_uid=" + second + "&content=new");
        fx.get(a, "content=marker-1");
        assertEquals("new", onB.next());
        assertEquals("marker-1", onB.next());
        assertEquals("ok", fx.get(c, "unbind_uid=" + second + "&to_worker_id=" + onB.workerId
                + "&to_connection_id=" + onB.connectionId).getContentAsString());
        PushFixture.await(() -> b.node().users().connections(second).isEmpty(), "unbind_uid never applied");
        fx.get(a, "to_uid=" + second + "&content=after-unbind");
        fx.get(a, "content=marker-2");
        assertEquals("marker-2", onB.next());
        // no such connection: the bus took it (ok), no node has it
        assertEquals("ok", fx.get(a, "bind_uid=x&to_worker_id=" + onB.workerId + "&to_connection_id=999999")
                .getContentAsString());
    }

    @Test
    void aConnectionWithATokenCannotBeRebound() throws Exception {
        String uid = unique("frank");
        TestClient onT = withToken(uid);
        ContentResponse r = authorized("bind_uid=mallory&to_worker_id=" + onT.workerId + "&to_connection_id="
                + onT.connectionId);
        assertEquals(409, r.getStatus(), r.getContentAsString());
        assertTrue(r.getContentAsString().contains("channelpush.connection-keys"), r.getContentAsString());
        // sent through an anonymous node's publisher, the token's node ignores it
        assertEquals("ok", fx.get(a, "bind_uid=mallory&to_worker_id=" + onT.workerId + "&to_connection_id="
                + onT.connectionId).getContentAsString());
        fx.get(a, "to_uid=mallory&content=stolen");
        fx.get(a, "to_uid=" + uid + "&content=still-mine");
        assertEquals("still-mine", onT.next());
    }

    @Test
    void aUsersGroupsReachItsPresentAndLaterConnectionsOnOtherNodesUntilRemoved() throws Exception {
        String uid = unique("gina");
        String group = unique("room");
        TestClient present = fx.connect(a);
        TestClient outsider = fx.connect(c);
        bind(b, a, present, uid);
        assertEquals("ok", fx.get(b, "uid=" + uid + "&add_group=" + group).getContentAsString());
        awaitUserGroup(uid, group, true);
        TestClient later = fx.connect(c);
        bind(a, c, later, uid);
        TestClient laterWithToken = withToken(uid);
        assertEquals("ok", fx.get(c, "group_id=" + group + "&content=to-room").getContentAsString());
        assertEquals("to-room", present.next());
        assertEquals("to-room", later.next());
        assertEquals("to-room", laterWithToken.next());
        assertEquals("ok", authorized("uid=" + uid + "&remove_group=" + group).getContentAsString());
        awaitUserGroup(uid, group, false);
        fx.get(a, "group_id=" + group + "&content=after-removal");
        fx.get(a, "content=marker");
        for (TestClient x : new TestClient[] {present, later, laterWithToken, outsider}) {
            assertEquals("marker", x.next(), "a group message reached a connection outside the group");
        }
        // a connection opened after the removal does not join
        TestClient afterRemoval = fx.connect(b);
        bind(c, b, afterRemoval, uid);
        assertTrue(b.node().users().groupsOf(uid).isEmpty());
        assertEquals(0, b.node().groupCount());
    }

    @Test
    void aNodeStartedOrRestartedAfterAUsersGroupsChangedCopiesThemAndItsConnectionsOfTheUserJoin() throws Exception {
        String uid = unique("hana");
        String group = unique("room");
        String removed = unique("room");
        assertEquals("ok", fx.get(a, "uid=" + uid + "&add_group=" + group).getContentAsString());
        assertEquals("ok", fx.get(a, "uid=" + uid + "&add_group=" + removed).getContentAsString());
        assertEquals("ok", fx.get(b, "uid=" + uid + "&remove_group=" + removed).getContentAsString());
        awaitUserGroup(uid, removed, false);
        awaitUserGroup(uid, group, true);
        Launcher d = fx.node(null);
        String workerId = d.node().workerId();
        PushFixture.await(() -> d.node().users().groupsOf(uid).equals(Set.of(group)),
                "the node started later never copied the user's groups: " + d.node().users().groupsOf(uid));
        TestClient onD = fx.connect(d);
        bind(a, d, onD, uid);
        assertEquals("ok", fx.get(b, "group_id=" + group + "&content=to-room").getContentAsString());
        assertEquals("to-room", onD.next());
        fx.stop(d);
        // changed while the node is down: it copies the table again when it comes back
        String later = unique("room");
        assertEquals("ok", fx.get(c, "uid=" + uid + "&add_group=" + later).getContentAsString());
        assertEquals("ok", fx.get(c, "uid=" + uid + "&remove_group=" + group).getContentAsString());
        awaitUserGroup(uid, group, false);
        awaitUserGroup(uid, later, true);
        Launcher restarted = fx.node(workerId);
        try {
            PushFixture.await(() -> restarted.node().users().groupsOf(uid).equals(Set.of(later)),
                    "the restarted node never copied the user's groups: " + restarted.node().users().groupsOf(uid));
            TestClient again = fx.connect(restarted);
            bind(b, restarted, again, uid);
            fx.get(a, "group_id=" + group + "&content=old-room");
            assertEquals("ok", fx.get(a, "group_id=" + later + "&content=to-later-room").getContentAsString());
            assertEquals("to-later-room", again.next(), "only the user's group now reaches it");
        } finally {
            fx.stop(restarted);
        }
    }

    @Test
    void userIdsOutsideTheRuleAreRefusedWith400() throws Exception {
        for (String bad : new String[] {"", "two%20words", "x".repeat(129), "caf%C3%A9", "%22q%22", "a%2Fb"}) {
            for (String query : new String[] {"to_uid=" + bad + "&content=x", "uid=" + bad + "&add_group=g",
                    "bind_uid=" + bad + "&to_worker_id=w&to_connection_id=1", "unbind_uid=" + bad
                    + "&to_worker_id=w&to_connection_id=1"}) {
                ContentResponse r = fx.get(a, query);
                assertEquals(400, r.getStatus(), query + ": " + r.getContentAsString());
                assertTrue(r.getContentAsString().contains("must be 1-128 of"), r.getContentAsString());
            }
        }
        assertEquals(200, fx.get(a, "to_uid=" + "x".repeat(128) + "&content=x").getStatus());
        assertEquals(200, fx.get(a, "to_uid=a.b_c:d@e-f&content=x").getStatus());
    }

    @Test
    void parametersThatDoNotGoTogetherAreRefusedWith400AndAReason() throws Exception {
        Map<String, String> refusals = Map.ofEntries(
                Map.entry("to_uid=u&group_id=g&content=x", "to_uid does not go with group_id"),
                Map.entry("to_uid=u&to_worker_id=w&to_connection_id=1&content=x",
                        "to_uid does not go with to_connection_id, to_worker_id"),
                Map.entry("to_uid=u&uid=u&content=x", "to_uid does not go with uid"),
                Map.entry("to_uid=u", "content is missing or empty"),
                Map.entry("uid=u", "uid takes add_group or remove_group, one of them"),
                Map.entry("uid=u&add_group=g&remove_group=h", "uid takes add_group or remove_group, one of them"),
                Map.entry("uid=u&add_group=g&content=x", "uid does not go with content"),
                Map.entry("uid=u&add_group=" + "g".repeat(129), "the group id must be 1 to 128 characters"),
                Map.entry("add_group=g", "add_group needs uid"),
                Map.entry("remove_group=g", "remove_group needs uid"),
                Map.entry("bind_uid=u", "bind_uid needs to_worker_id and to_connection_id"),
                Map.entry("bind_uid=u&to_worker_id=w&to_connection_id=1&content=x", "bind_uid does not go with content"),
                Map.entry("bind_uid=u&unbind_uid=u&to_worker_id=w&to_connection_id=1",
                        "give bind_uid or unbind_uid, not both"),
                Map.entry("bind_uid=u&to_worker_id=w&to_connection_id=0", "to_connection_id must be a positive"),
                Map.entry("to_uid=u&content=x&to_uid=v", "parameter to_uid is given 2 times"));
        TestClient watcher = fx.connect(b);
        bind(a, b, watcher, "u");
        for (Map.Entry<String, String> e : refusals.entrySet()) {
            ContentResponse r = fx.get(a, e.getKey());
            assertEquals(400, r.getStatus(), e.getKey() + ": " + r.getContentAsString());
            assertTrue(r.getContentAsString().startsWith(e.getValue()), e.getKey() + ": " + r.getContentAsString());
        }
        fx.get(a, "content=marker");
        assertEquals("marker", watcher.next(), "a refused request was delivered");
    }

    @Test
    void userRequestsNeedThePublishersAuthenticationLikePublishes() throws Exception {
        String uid = unique("henry");
        TestClient onT = withToken(uid);
        for (String query : new String[] {"to_uid=" + uid + "&content=unsigned", "uid=" + uid + "&add_group=g",
                "bind_uid=" + uid + "&to_worker_id=w&to_connection_id=1"}) {
            ContentResponse r = fx.get(t, query);
            assertEquals(401, r.getStatus(), query + ": " + r.getContentAsString());
        }
        String query = "to_uid=" + uid + "&content=signed";
        Map<String, String> h = PublishSigner.headers("k1", "secret-u-0123456789abcdefghijklmnopq", "GET", "/", query, new byte[0],
                System.currentTimeMillis() / 1000, UUID.randomUUID().toString().replace("-", ""));
        Request req = fx.http.newRequest("http://127.0.0.1:" + t.port(1) + "/?" + query).timeout(10, TimeUnit.SECONDS);
        for (Map.Entry<String, String> e : h.entrySet()) {
            req = req.headers(hs -> hs.put(e.getKey(), e.getValue()));
        }
        assertEquals("ok", req.send().getContentAsString());
        assertEquals("signed", onT.next());
        assertTrue(t.node().users().groupsOf(uid).isEmpty(), "an unauthenticated add_group was applied");
    }
}
