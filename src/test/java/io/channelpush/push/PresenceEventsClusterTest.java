package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Presence events across three nodes, on each bus ({@code channelpush.presence-events=all}, default heartbeat and
 * timeout): a user's connections on three nodes make one join and one leave for each JSON member, whatever mix of
 * leave_group and disconnect; a node killed with SIGKILL makes a leave for its users who have no connection
 * elsewhere, within the presence timeout, and none for the others; plain-text members never get events.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(PushFixture.Backend.class)
class PresenceEventsClusterTest {
    private static final String[] SETTINGS = {"--set", "channelpush.connection-keys=k1:" + PresenceClusterTest.KEY,
            "--set", "channelpush.publish-tokens=tok-p", "--set", "channelpush.presence-events=all"};
    private static final Duration TIMEOUT = Duration.ofMillis(3_000);
    private static final Duration HEARTBEAT = Duration.ofMillis(1_000);

    @Parameter
    PushFixture.Backend backend;

    private static PushFixture fx;
    private static List<Launcher> nodes;

    @BeforeParameterizedClassInvocation
    static void start(PushFixture.Backend backend) throws Exception {
        fx = new PushFixture(backend);
        nodes = List.of(fx.node(null, SETTINGS), fx.node(null, SETTINGS), fx.node(null, SETTINGS));
        awaitMembers(3);
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        fx.close();
    }

    private static void awaitMembers(int n) {
        for (Launcher l : nodes) {
            PushFixture.await(() -> l.node().presence().members().size() == n, Duration.ofSeconds(30),
                    "node " + l.node().workerId() + " never counted " + n + " nodes");
        }
    }

    /** A connection of a user, JSON or plain, keeping the events it received. */
    private static final class Member {
        final TestClient client;
        final String uid;
        final List<JsonObject> events = new ArrayList<>();

        Member(TestClient client, String uid) {
            this.client = client;
            this.uid = uid;
        }

        /** Joins {@code group} and waits for the ack, keeping the events that arrive meanwhile. */
        void join(String group) throws InterruptedException {
            command("{\"cmd\":\"add_group\",\"group_id\":\"" + group + "\",\"id\":1}");
        }

        void leave(String group) throws InterruptedException {
            command("{\"cmd\":\"leave_group\",\"group_id\":\"" + group + "\",\"id\":2}");
        }

        private void command(String json) throws InterruptedException {
            client.send(json);
            while (true) {
                JsonObject o = JsonParser.parseString(client.next()).getAsJsonObject();
                if (o.get("type").getAsString().equals("ack")) {
                    return;
                }
                keep(o);
            }
        }

        private void keep(JsonObject o) {
            assertTrue(o.get("type").getAsString().matches("join|leave"), "not an event: " + o);
            events.add(o);
        }

        /** Waits (at most {@code within}) for the event {@code type} of {@code user} in {@code group}. */
        void await(String type, String group, String user, Duration within) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            while (count(type, group, user) == 0) {
                long left = deadline - System.nanoTime();
                String m = left <= 0 ? null : client.messages.poll(left, TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new AssertionError(uid + " never got " + type + " of " + user + " in " + group
                            + " within " + within + "; got " + events);
                }
                keep(JsonParser.parseString(m).getAsJsonObject());
            }
        }

        long count(String type, String group, String user) {
            return events.stream().filter(e -> e.get("type").getAsString().equals(type)
                    && e.get("group").getAsString().equals(group) && e.get("uid").getAsString().equals(user)).count();
        }
    }

    private static Member connect(int port, String uid, boolean json) throws Exception {
        String token = ConnectionTokenTest.hs256("k1", PresenceClusterTest.KEY,
                ConnectionTokenTest.claims(uid).claim("groups", List.of("*")).build());
        TestClient c = new TestClient();
        ClientUpgradeRequest up = new ClientUpgradeRequest();
        up.setHeader("Authorization", "Bearer " + token);
        fx.ws.connect(c, URI.create("ws://127.0.0.1:" + port + (json ? "/?format=json" : "/")), up)
                .get(10, TimeUnit.SECONDS);
        if (json) {
            assertEquals("welcome", JsonParser.parseString(c.next()).getAsJsonObject().get("type").getAsString());
        } else {
            c.awaitWelcome();
        }
        return new Member(c, uid);
    }

    private static Member connect(Launcher n, String uid, boolean json) throws Exception {
        return connect(n.port(0), uid, json);
    }

    /** Waits until every in-process node has heard that {@code n} nodes have {@code uid} in {@code group}. */
    private static void awaitShares(String group, String uid, int n) {
        for (Launcher l : nodes) {
            PushFixture.await(() -> l.node().memberEvents().nodesWith(group, uid) == n, Duration.ofSeconds(10),
                    "node " + l.node().workerId() + " never heard " + uid + " on " + n + " nodes");
        }
    }

    private static void publishToGroup(String group, String content) throws Exception {
        ContentResponse r = fx.http.newRequest("http://127.0.0.1:" + nodes.get(0).port(1) + "/?group_id=" + group
                + "&content=" + content).headers(h -> h.put("Authorization", "Bearer tok-p"))
                .timeout(10, TimeUnit.SECONDS).send();
        assertEquals(200, r.getStatus(), r.getContentAsString());
    }

    @Test
    void aUserWithAConnectionOnEachNodeJoinsOnceAndLeavesOnceForEveryJsonMemberAndPlainMembersGetNothing()
            throws Exception {
        String run = backend.name().toLowerCase() + "-";
        String group = run + "room";
        List<Member> watchers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Member w = connect(nodes.get(i), run + "watcher" + i, true);
            w.join(group);
            watchers.add(w);
        }
        Member plain = connect(nodes.get(1), run + "plain", false);
        PushFixture.command(plain.client, "{\"cmd\":\"add_group\",\"group_id\":\"" + group + "\",\"id\":1}");
        // a member hears the users who join after it (itself included), not those already there
        for (int i = 0; i < 3; i++) {
            for (Member later : watchers.subList(i, 3)) {
                watchers.get(i).await("join", group, later.uid, Duration.ofSeconds(10));
            }
            watchers.get(i).await("join", group, plain.uid, Duration.ofSeconds(10));
        }
        String alice = run + "alice";
        List<Member> tabs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Member tab = connect(nodes.get(i), alice, true);
            tab.join(group);
            tabs.add(tab);
        }
        for (Member w : watchers) {
            w.await("join", group, alice, Duration.ofSeconds(10));
        }
        // the user's three shares have reached every node: leaving now is once, not "last left, another came"
        awaitShares(group, alice, 3);
        tabs.get(0).leave(group);
        tabs.get(1).client.close();
        tabs.get(2).leave(group);
        for (Member w : watchers) {
            w.await("leave", group, alice, Duration.ofSeconds(10));
        }
        // a later user's join comes after anything alice's connections could still cause on each node
        Member carol = connect(nodes.get(2), run + "carol", true);
        carol.join(group);
        for (Member w : watchers) {
            w.await("join", group, carol.uid, Duration.ofSeconds(10));
            assertEquals(1, w.count("join", group, alice), w.uid + " got " + w.events);
            assertEquals(1, w.count("leave", group, alice), w.uid + " got " + w.events);
        }
        // watcher1 shares node 1 with the plain member, and has had every event that node sent
        publishToGroup(group, "marker");
        assertEquals("marker", plain.client.next(), "the plain member got something before the group message");
        tabs.get(0).client.close();
        tabs.get(2).client.close();
    }

    @Test
    void aKilledNodesUsersLeaveWithinTheTimeoutUnlessTheyAreConnectedElsewhere() throws Exception {
        String run = backend.name().toLowerCase() + "-k-";
        String group = run + "room";
        Member watcher = connect(nodes.get(1), run + "watcher", true);
        watcher.join(group);
        try (PresenceClusterTest.NodeProcess p = PresenceClusterTest.NodeProcess.start(fx,
                "--set", "channelpush.presence-events=all")) {
            awaitMembers(4);
            String dave = run + "dave";
            String erin = run + "erin";
            connect(p.wsPort, dave, false).join(group);
            connect(p.wsPort, erin, false).join(group);
            Member erinElsewhere = connect(nodes.get(0), erin, true);
            erinElsewhere.join(group);
            watcher.await("join", group, dave, Duration.ofSeconds(10));
            watcher.await("join", group, erin, Duration.ofSeconds(10));
            awaitShares(group, erin, 2);
            p.process.destroyForcibly();
            long killed = System.nanoTime();
            // the timeout after the last heartbeat, one sweep later, and slack for a loaded machine
            watcher.await("leave", group, dave, TIMEOUT.plus(HEARTBEAT).plusSeconds(5));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            // not before its heartbeats could have lapsed (the last one came at most a heartbeat or so before the kill)
            assertTrue(took >= TIMEOUT.toMillis() - 2 * HEARTBEAT.toMillis(), "left after " + took + " ms");
            Member frank = connect(nodes.get(2), run + "frank", true);
            frank.join(group);
            watcher.await("join", group, frank.uid, Duration.ofSeconds(10));
            assertEquals(0, watcher.count("leave", group, erin), "erin is still connected to another node: "
                    + watcher.events);
            assertEquals(1, watcher.count("leave", group, dave), watcher.events.toString());
        }
        awaitMembers(3);
    }

    @Test
    void afterTheBusIsLostAndBackTheNodesResyncAndOnlyTheDifferencesBecomeEvents() throws Exception {
        assumeTrue(backend == PushFixture.Backend.DAEMON, "the fixture restarts only the channel daemon");
        String run = "resync-";
        String group = run + "room";
        Member watcher = connect(nodes.get(0), run + "watcher", true);
        watcher.join(group);
        String alice = run + "alice";
        Member aliceTab = connect(nodes.get(2), alice, true);
        aliceTab.join(group);
        watcher.await("join", group, alice, Duration.ofSeconds(10));
        awaitShares(group, alice, 1);
        fx.stopDaemon();
        // cut off, node 0 can no longer know that alice is on node 2: it says she left, once the timeout passes
        watcher.await("leave", group, alice, TIMEOUT.plus(HEARTBEAT).plusSeconds(5));
        Member bob = connect(nodes.get(1), run + "bob", true);
        bob.join(group);
        fx.restartDaemon();
        awaitMembers(3);
        // back on the bus, the nodes re-announce what they hold: alice again, and bob, who joined meanwhile
        watcher.await("join", group, bob.uid, Duration.ofSeconds(20));
        PushFixture.await(() -> watcher.count("join", group, alice) == 2 || drain(watcher), Duration.ofSeconds(20),
                "alice never joined again: " + watcher.events);
        awaitShares(group, alice, 1);
        awaitShares(group, bob.uid, 1);
        aliceTab.leave(group);
        watcher.await("leave", group, alice, Duration.ofSeconds(10));
        Member carol = connect(nodes.get(2), run + "carol", true);
        carol.join(group);
        watcher.await("join", group, carol.uid, Duration.ofSeconds(10));
        assertEquals(2, watcher.count("join", group, alice), watcher.events.toString());
        assertEquals(2, watcher.count("leave", group, alice), watcher.events.toString());
        assertEquals(1, watcher.count("join", group, bob.uid), watcher.events.toString());
    }

    /** Takes the messages waiting for {@code m} into its events; false, so that a wait goes on. */
    private static boolean drain(Member m) {
        String text;
        while ((text = m.client.messages.poll()) != null) {
            m.keep(JsonParser.parseString(text).getAsJsonObject());
        }
        return false;
    }
}
