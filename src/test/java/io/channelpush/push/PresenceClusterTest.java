package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Presence across three nodes, on each bus, at the default heartbeat, timeout and wait: counts and group members
 * against a model after 10,000 random joins, leaves, connects and disconnects; a node killed with SIGKILL (a
 * separate process) leaves presence within the timeout; a SIGSTOPped node makes answers partial within the wait,
 * then leaves presence; queries need the publisher's credentials.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(PushFixture.Backend.class)
class PresenceClusterTest {
    static final String KEY = "a-connection-key-of-at-least-32-bytes!";
    static final String[] SETTINGS = {"--set", "channelpush.connection-keys=k1:" + KEY,
            "--set", "channelpush.publish-tokens=tok-p"};
    /** The defaults: timeout 3 s, wait 1 s. */
    private static final Duration TIMEOUT = Duration.ofMillis(3_000);
    private static final Duration WAIT = Duration.ofMillis(1_000);

    @Parameter
    PushFixture.Backend backend;

    private static PushFixture fx;
    private static List<Launcher> nodes;

    @BeforeParameterizedClassInvocation
    static void start(PushFixture.Backend backend) throws Exception {
        fx = new PushFixture(backend);
        nodes = List.of(fx.node(null, SETTINGS), fx.node(null, SETTINGS), fx.node(null, SETTINGS));
        for (Launcher n : nodes) {
            PushFixture.await(() -> n.node().presence().members().size() == 3,
                    "node " + n.node().workerId() + " never heard the 3 nodes");
        }
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        fx.close();
    }

    private static TestClient connect(Launcher n, String uid) throws Exception {
        String token = ConnectionTokenTest.hs256("k1", KEY,
                ConnectionTokenTest.claims(uid).claim("groups", List.of("*")).build());
        return fx.connect(n, "/", "Bearer " + token);
    }

    private static ContentResponse query(Launcher n, String query) throws Exception {
        return fx.http.newRequest("http://127.0.0.1:" + n.port(1) + "/?" + query)
                .headers(h -> h.put("Authorization", "Bearer tok-p")).timeout(20, TimeUnit.SECONDS).send();
    }

    private static JsonObject json(Launcher n, String query) {
        try {
            ContentResponse r = query(n, query);
            assertEquals(200, r.getStatus(), r.getContentAsString());
            assertEquals("application/json", r.getMediaType());
            return JsonParser.parseString(r.getContentAsString()).getAsJsonObject();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** One test connection and what the model says about it. */
    private record Conn(TestClient client, String uid, Set<String> groups) {
    }

    @Test
    void countsAndGroupMembersMatchAModelAfter10000RandomJoinsLeavesConnectsAndDisconnects() throws Exception {
        Random rnd = new Random(42);
        String run = backend.name().toLowerCase() + "-";
        List<Conn> open = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        for (int op = 0; op < 10_000; op++) {
            assertTrue(System.nanoTime() < deadline, "10,000 operations took over 240 s");
            int dice = rnd.nextInt(100);
            if (open.size() < 20 || dice < 15 && open.size() < 200) {
                String uid = run + "u" + rnd.nextInt(40);
                open.add(new Conn(connect(nodes.get(rnd.nextInt(3)), uid), uid, new java.util.HashSet<>()));
            } else if (dice < 25) {
                Conn c = open.remove(rnd.nextInt(open.size()));
                c.client().close();
            } else {
                Conn c = open.get(rnd.nextInt(open.size()));
                String g = run + "g" + rnd.nextInt(12);
                boolean join = dice < 70;
                PushFixture.command(c.client(), "{\"cmd\":\"" + (join ? "add_group" : "leave_group")
                        + "\",\"group_id\":\"" + g + "\",\"id\":\"" + op + "\"}");
                if (join) {
                    c.groups().add(g);
                } else {
                    c.groups().remove(g);
                }
            }
        }
        Map<String, Integer> connectionsByUser = new TreeMap<>();
        Map<String, Map<String, Integer>> groups = new TreeMap<>();
        for (Conn c : open) {
            connectionsByUser.merge(c.uid(), 1, Integer::sum);
            for (String g : c.groups()) {
                groups.computeIfAbsent(g, k -> new TreeMap<>()).merge(c.uid(), 1, Integer::sum);
            }
        }
        // disconnects are applied by the nodes after the client's close: wait until every node agrees
        PushFixture.await(() -> {
            JsonObject t = json(nodes.get(0), "presence=1");
            return t.get("connections").getAsInt() == open.size()
                    && t.get("users").getAsInt() == connectionsByUser.size();
        }, Duration.ofSeconds(30), "totals never matched the model: " + open.size() + " connections, "
                + connectionsByUser.size() + " users");
        for (int g = 0; g < 12; g++) {
            String group = run + "g" + g;
            Map<String, Integer> expected = groups.getOrDefault(group, Map.of());
            Launcher via = nodes.get(g % 3);
            PushFixture.await(() -> expected.equals(members(via, group, 1000)), Duration.ofSeconds(30),
                    "members of " + group + " never matched the model " + expected);
            PushFixture.await(() -> expected.equals(members(via, group, 3)), Duration.ofSeconds(30),
                    "members of " + group + " in pages of 3 never matched the model " + expected);
        }
        List<String> asked = new ArrayList<>(connectionsByUser.keySet().stream().limit(3).toList());
        asked.add(run + "nobody");
        JsonObject online = json(nodes.get(1), "online=" + String.join(",", asked));
        for (String u : asked) {
            int n = connectionsByUser.getOrDefault(u, 0);
            assertEquals(n > 0, online.getAsJsonObject("online").get(u).getAsBoolean(), u);
            assertEquals(n, online.getAsJsonObject("connections").get(u).getAsInt(), u);
        }
        String someone = connectionsByUser.keySet().iterator().next();
        TreeMap<String, Integer> theirGroups = new TreeMap<>();
        open.stream().filter(c -> c.uid().equals(someone)).forEach(c -> c.groups().forEach(g -> theirGroups.put(g, 1)));
        List<String> got = new ArrayList<>();
        json(nodes.get(2), "user_groups=" + someone).getAsJsonArray("groups").forEach(e -> got.add(e.getAsString()));
        assertEquals(new ArrayList<>(theirGroups.keySet()), got);
        open.forEach(c -> c.client().close());
        PushFixture.await(() -> json(nodes.get(0), "presence=1").get("connections").getAsInt() == 0,
                Duration.ofSeconds(30), "connections still counted after every client closed");
    }

    /**
     * Every member of {@code group} (user id to connections), read in pages of {@code limit}; null when an answer
     * was partial.
     */
    private static Map<String, Integer> members(Launcher via, String group, int limit) {
        Map<String, Integer> all = new TreeMap<>();
        String after = null;
        for (int page = 0; page < 1_000; page++) {
            JsonObject o = json(via, "group_members=" + group + "&limit=" + limit + (after == null ? "" : "&after=" + after));
            if (o.get("partial").getAsBoolean()) {
                return null; // a node did not answer within the presence wait (a loaded machine): ask again
            }
            assertEquals(0, o.get("anonymous").getAsInt());
            assertTrue(o.getAsJsonArray("members").size() <= limit);
            for (JsonElement e : o.getAsJsonArray("members")) {
                all.put(e.getAsJsonObject().get("uid").getAsString(), e.getAsJsonObject().get("connections").getAsInt());
            }
            if (!o.has("next")) {
                return all;
            }
            after = o.get("next").getAsString();
        }
        throw new AssertionError("more than 1,000 pages");
    }

    @Test
    void queriesNeedThePublishersCredentialsAndRefuseUnknownParametersAndPost() throws Exception {
        Launcher n = nodes.get(0);
        assertEquals(401, fx.get(n, "presence=1").getStatus());
        assertEquals(400, query(n, "presence=1&colour=red").getStatus());
        assertEquals(400, query(n, "group_members=g&limit=1001").getStatus());
        String hundredAndOne = String.join(",", java.util.stream.IntStream.rangeClosed(0, 100).mapToObj(i -> "u" + i).toList());
        assertEquals(400, query(n, "online=" + hundredAndOne).getStatus());
        assertEquals(200, query(n, "online=" + hundredAndOne.substring(hundredAndOne.indexOf(',') + 1)).getStatus());
        assertEquals(400, query(n, "presence=1&online=u").getStatus());
        ContentResponse post = fx.http.POST("http://127.0.0.1:" + n.port(1) + "/?presence=1")
                .headers(h -> h.put("Authorization", "Bearer tok-p")).timeout(10, TimeUnit.SECONDS).send();
        assertEquals(405, post.getStatus());
        assertEquals(3, json(n, "presence=1").get("nodes").getAsInt());
    }

    @Test
    void aNodeKilledWithSigkillLeavesPresenceWithinTheTimeout() throws Exception {
        String uid = backend.name().toLowerCase() + "-doomed";
        try (NodeProcess p = NodeProcess.start(fx)) {
            awaitMembers(4);
            Launcher probe = nodes.get(0);
            for (int i = 0; i < 3; i++) {
                p.connectWithToken(uid);
            }
            PushFixture.await(() -> json(probe, "online=" + uid).getAsJsonObject("connections").get(uid).getAsInt() == 3,
                    "the process node's 3 connections never showed");
            int withIt = json(probe, "presence=1").get("connections").getAsInt();
            p.process.destroyForcibly();
            long killed = System.nanoTime();
            PushFixture.await(() -> {
                JsonObject o = json(probe, "online=" + uid);
                return !o.getAsJsonObject("online").get(uid).getAsBoolean() && !o.get("partial").getAsBoolean();
            }, Duration.ofSeconds(20), "the killed node's user never left presence");
            long gone = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            // within the timeout, plus one wait for a query asked just before it, plus slack for a loaded machine
            assertTrue(gone <= TIMEOUT.plus(WAIT).toMillis() + 3_000, "left presence after " + gone + " ms");
            JsonObject totals = json(probe, "presence=1");
            assertEquals(3, totals.get("nodes").getAsInt());
            assertEquals(withIt - 3, totals.get("connections").getAsInt(), "its connections still counted");
        }
    }

    @Test
    void aStoppedNodeMakesAnswersPartialWithinTheWaitThenLeavesPresence() throws Exception {
        try (NodeProcess p = NodeProcess.start(fx)) {
            awaitMembers(4);
            Launcher probe = nodes.get(1);
            assertFalse(json(probe, "presence=1").get("partial").getAsBoolean());
            p.stop();
            long t0 = System.nanoTime();
            JsonObject partial = json(probe, "presence=1");
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(partial.get("partial").getAsBoolean(), partial.toString());
            assertEquals(p.workerId, partial.getAsJsonArray("missing").get(0).getAsString());
            assertEquals(3, partial.get("nodes").getAsInt());
            assertTrue(took >= WAIT.toMillis() - 50 && took < WAIT.toMillis() + 3_000, "answered after " + took + " ms");
            PushFixture.await(() -> !json(probe, "presence=1").get("partial").getAsBoolean(), Duration.ofSeconds(20),
                    "the stopped node never left presence");
            assertFalse(probe.node().presence().members().contains(p.workerId));
            p.resume();
        }
    }

    private static void awaitMembers(int n) {
        for (Launcher l : nodes) {
            PushFixture.await(() -> l.node().presence().members().size() == n, Duration.ofSeconds(30),
                    "node " + l.node().workerId() + " never counted " + n + " nodes");
        }
    }

    /**
     * A push node in a JVM of its own (the test's class path, the launcher's main), joined to the fixture's bus, so
     * that it can be killed with SIGKILL or stopped with SIGSTOP.
     */
    static final class NodeProcess implements AutoCloseable {
        private static final Pattern SERVING = Pattern.compile("worker (\\S+) serving ws://127\\.0\\.0\\.1:(\\d+)/");
        final Process process;
        final String workerId;
        final int wsPort;
        private final PushFixture fixture;

        private NodeProcess(PushFixture fixture, Process process, String workerId, int wsPort) {
            this.fixture = fixture;
            this.process = process;
            this.workerId = workerId;
            this.wsPort = wsPort;
        }

        static NodeProcess start(PushFixture fx, String... extraSettings) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-cp", System.getProperty("java.class.path"), Launcher.class.getName(),
                    "--ws-port", "0", "--http-port", "0"));
            cmd.addAll(fx.backend == PushFixture.Backend.NATS ? List.of("--nats", fx.nats.url())
                    : List.of("--channel", "127.0.0.1:" + fx.daemon.port()));
            cmd.addAll(List.of(SETTINGS));
            cmd.addAll(List.of(extraSettings));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            CompletableFuture<Matcher> serving = new CompletableFuture<>();
            StringBuilder output = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (output) {
                            output.append(line).append('\n');
                        }
                        Matcher m = SERVING.matcher(line);
                        if (m.find()) {
                            serving.complete(m);
                        }
                    }
                } catch (java.io.IOException e) {
                    // the process ended
                }
            }, "node-process-output");
            reader.setDaemon(true);
            reader.start();
            try {
                Matcher m = serving.get(60, TimeUnit.SECONDS);
                return new NodeProcess(fx, p, m.group(1), Integer.parseInt(m.group(2)));
            } catch (java.util.concurrent.TimeoutException e) {
                p.destroyForcibly();
                synchronized (output) {
                    throw new AssertionError("the node process never served; output:\n" + output);
                }
            }
        }

        void connectWithToken(String uid) throws Exception {
            String token = ConnectionTokenTest.hs256("k1", KEY, ConnectionTokenTest.claims(uid).build());
            TestClient c = new TestClient();
            org.eclipse.jetty.websocket.client.ClientUpgradeRequest up = new org.eclipse.jetty.websocket.client.ClientUpgradeRequest();
            up.setHeader("Authorization", "Bearer " + token);
            fixture.ws.connect(c, java.net.URI.create("ws://127.0.0.1:" + wsPort + "/"), up).get(10, TimeUnit.SECONDS);
            c.awaitWelcome();
        }

        /** SIGSTOP, returning once the node is stopped. */
        void stop() throws Exception {
            io.channelpush.processes.Signals.stop(process.pid());
        }

        /** SIGCONT, returning once the node runs again. */
        void resume() throws Exception {
            io.channelpush.processes.Signals.resume(process.pid());
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly();
            process.waitFor(15, TimeUnit.SECONDS);
        }
    }
}
