package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Publish results across three nodes, on each bus, at the default wait (1 s): a reported broadcast, group push,
 * {@code to_uid} push and targeted push count exactly the connections that received them; a node stopped with
 * SIGSTOP (a separate process) makes the report partial, naming it, within the wait; without {@code report} the
 * answer stays {@code ok}.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(PushFixture.Backend.class)
class PublishReportClusterTest {
    private static final Duration WAIT = Duration.ofMillis(1_000);

    @Parameter
    PushFixture.Backend backend;

    private static PushFixture fx;
    private static List<Launcher> nodes;
    private final List<TestClient> clients = new ArrayList<>();

    @BeforeParameterizedClassInvocation
    static void start(PushFixture.Backend backend) throws Exception {
        fx = new PushFixture(backend);
        nodes = List.of(fx.node(null, PresenceClusterTest.SETTINGS), fx.node(null, PresenceClusterTest.SETTINGS),
                fx.node(null, PresenceClusterTest.SETTINGS));
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        fx.close();
    }

    /** Every test starts with the three nodes counted by each, and no connections. */
    @BeforeEach
    void threeNodesNoConnections() {
        for (Launcher n : nodes) {
            PushFixture.await(() -> n.node().presence().members().size() == 3 && n.node().connectionCount() == 0,
                    Duration.ofSeconds(30), "node " + n.node().workerId() + " never had 3 members and no connections");
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(TestClient::close);
    }

    private TestClient connect(Launcher n, String uid) throws Exception {
        String token = ConnectionTokenTest.hs256("k1", PresenceClusterTest.KEY,
                ConnectionTokenTest.claims(uid).claim("groups", List.of("*")).build());
        TestClient c = fx.connect(n, "/", "Bearer " + token);
        clients.add(c);
        return c;
    }

    private static ContentResponse publish(Launcher n, String query, String accept) throws Exception {
        return fx.http.newRequest("http://127.0.0.1:" + n.port(1) + "/?" + query)
                .headers(h -> {
                    h.put("Authorization", "Bearer tok-p");
                    if (accept != null) {
                        h.put("Accept", accept);
                    }
                }).timeout(20, TimeUnit.SECONDS).send();
    }

    private static JsonObject report(Launcher n, String query) throws Exception {
        ContentResponse r = publish(n, query + "&report=1", null);
        assertEquals(200, r.getStatus(), r.getContentAsString());
        assertEquals("application/json", r.getMediaType());
        JsonObject o = JsonParser.parseString(r.getContentAsString()).getAsJsonObject();
        assertTrue(o.get("ok").getAsBoolean());
        return o;
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aBroadcastReportCountsEveryConnectedClientOnEveryNodeAndEachReceivedIt() throws Exception {
        int[] perNode = {2, 5, 1};
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < perNode[i]; k++) {
                connect(nodes.get(i), unique("u"));
            }
        }
        String content = unique("all");
        long t0 = System.nanoTime();
        JsonObject o = report(nodes.get(1), "content=" + content);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(8, o.get("recipients").getAsInt(), o.toString());
        assertEquals(3, o.get("nodes").getAsInt());
        assertFalse(o.has("partial"), o.toString());
        // every node answered: the report did not wait out the bound
        assertTrue(took < WAIT.toMillis(), "answered after " + took + " ms");
        for (TestClient c : clients) {
            assertEquals(content, c.next());
        }
    }

    @Test
    void theJsonAcceptHeaderAsksForTheReportAndWithoutEitherTheAnswerStaysOk() throws Exception {
        TestClient c = connect(nodes.get(2), unique("u"));
        ContentResponse json = publish(nodes.get(0), "content=a", "application/json");
        assertEquals(200, json.getStatus(), json.getContentAsString());
        JsonObject o = JsonParser.parseString(json.getContentAsString()).getAsJsonObject();
        assertEquals(1, o.get("recipients").getAsInt(), o.toString());
        assertEquals("a", c.next());
        ContentResponse plain = publish(nodes.get(0), "content=b", null);
        assertEquals(200, plain.getStatus());
        assertEquals("ok", plain.getContentAsString());
        assertEquals("b", c.next());
        assertEquals(400, publish(nodes.get(0), "content=c&report=2", null).getStatus());
        ContentResponse unknown = publish(nodes.get(0), "content=c&reports=1", null);
        assertEquals(400, unknown.getStatus());
        assertTrue(unknown.getContentAsString().contains("\"reports\""), unknown.getContentAsString());
        assertEquals(400, publish(nodes.get(0), "presence=1&report=1", null).getStatus());
        // in a POST, report goes in the URL: the body is read after the request was routed
        org.eclipse.jetty.util.Fields withReport = new org.eclipse.jetty.util.Fields();
        withReport.put("content", "d");
        withReport.put("report", "1");
        org.eclipse.jetty.util.Fields plainForm = new org.eclipse.jetty.util.Fields();
        plainForm.put("content", "e");
        ContentResponse inBody = fx.http.POST("http://127.0.0.1:" + nodes.get(0).port(1) + "/")
                .headers(h -> h.put("Authorization", "Bearer tok-p"))
                .body(new org.eclipse.jetty.client.FormRequestContent(
                        withReport))
                .timeout(10, TimeUnit.SECONDS).send();
        assertEquals(400, inBody.getStatus(), inBody.getContentAsString());
        ContentResponse inUrl = fx.http.POST("http://127.0.0.1:" + nodes.get(0).port(1) + "/?report=1")
                .headers(h -> h.put("Authorization", "Bearer tok-p"))
                .body(new org.eclipse.jetty.client.FormRequestContent(
                        plainForm))
                .timeout(10, TimeUnit.SECONDS).send();
        assertEquals(200, inUrl.getStatus(), inUrl.getContentAsString());
        assertEquals(1, JsonParser.parseString(inUrl.getContentAsString()).getAsJsonObject().get("recipients")
                .getAsInt());
        assertEquals("e", c.next());
    }

    @Test
    void aGroupReportCountsOnlyTheGroupsMembers() throws Exception {
        String group = unique("g");
        List<TestClient> members = new ArrayList<>();
        List<TestClient> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k <= i; k++) {
                TestClient m = connect(nodes.get(i), unique("m"));
                PushFixture.command(m, "{\"cmd\":\"add_group\",\"group_id\":\"" + group + "\",\"id\":\"j\"}");
                members.add(m);
            }
            others.add(connect(nodes.get(i), unique("o")));
        }
        JsonObject o = report(nodes.get(0), "group_id=" + group + "&content=to-group");
        assertEquals(members.size(), o.get("recipients").getAsInt(), o.toString());
        assertEquals(3, o.get("nodes").getAsInt());
        for (TestClient m : members) {
            assertEquals("to-group", m.next());
        }
        for (TestClient other : others) {
            other.expectNothing(200);
        }
    }

    @Test
    void aToUidReportCountsThatUsersConnectionsOnEveryNode() throws Exception {
        String uid = unique("user");
        List<TestClient> mine = List.of(connect(nodes.get(0), uid), connect(nodes.get(0), uid),
                connect(nodes.get(1), uid), connect(nodes.get(2), uid));
        TestClient someoneElse = connect(nodes.get(1), unique("other"));
        JsonObject o = report(nodes.get(2), "to_uid=" + uid + "&content=to-user");
        assertEquals(4, o.get("recipients").getAsInt(), o.toString());
        assertEquals(3, o.get("nodes").getAsInt());
        for (TestClient c : mine) {
            assertEquals("to-user", c.next());
        }
        someoneElse.expectNothing(200);
    }

    @Test
    void aTargetedReportAsksOnlyTheTargetNodeAndCountsZeroForAMissingConnection() throws Exception {
        TestClient c = connect(nodes.get(1), unique("u"));
        JsonObject hit = report(nodes.get(0), "to_worker_id=" + c.workerId + "&to_connection_id=" + c.connectionId
                + "&content=just-you");
        assertEquals(1, hit.get("recipients").getAsInt(), hit.toString());
        assertEquals(1, hit.get("nodes").getAsInt());
        assertEquals("just-you", c.next());
        JsonObject miss = report(nodes.get(0), "to_worker_id=" + c.workerId + "&to_connection_id="
                + (c.connectionId + 1_000_000) + "&content=nobody");
        assertEquals(0, miss.get("recipients").getAsInt(), miss.toString());
        assertEquals(1, miss.get("nodes").getAsInt());
        assertFalse(miss.has("partial"));
    }

    @Test
    void aNodeStoppedWithSigstopMakesTheReportPartialNamingItWithinTheWait() throws Exception {
        try (PresenceClusterTest.NodeProcess p = PresenceClusterTest.NodeProcess.start(fx)) {
            try {
                for (Launcher l : nodes) {
                    PushFixture.await(() -> l.node().presence().members().size() == 4, Duration.ofSeconds(30),
                            "node " + l.node().workerId() + " never counted the process node");
                }
                p.connectWithToken(unique("far"));
                TestClient near = connect(nodes.get(0), unique("near"));
                JsonObject whole = report(nodes.get(2), "content=before");
                assertEquals(2, whole.get("recipients").getAsInt(), whole.toString());
                assertEquals(4, whole.get("nodes").getAsInt());
                assertEquals("before", near.next());
                p.stop();
                long t0 = System.nanoTime();
                JsonObject partial = report(nodes.get(2), "content=during");
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(partial.has("partial") && partial.get("partial").getAsBoolean(),
                        "a report while node " + p.workerId + " is stopped: " + partial);
                assertEquals("[\"" + p.workerId + "\"]", partial.get("missing").toString());
                assertEquals(1, partial.get("recipients").getAsInt(), partial.toString());
                assertEquals(3, partial.get("nodes").getAsInt());
                assertTrue(took >= WAIT.toMillis() - 50 && took < WAIT.toMillis() + 3_000,
                        "answered after " + took + " ms");
                assertEquals("during", near.next());
            } finally {
                p.resume();
            }
        }
    }
}
