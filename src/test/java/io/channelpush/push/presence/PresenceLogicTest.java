package io.channelpush.push.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Membership, the gathering of answers and their merging, without sockets. */
class PresenceLogicTest {

    @Test
    void aNodeCountsUntilItsHeartbeatIsOlderThanTheTimeoutAndStopsAtOnceWhenItLeaves() {
        Membership m = new Membership(3_000);
        m.heard("a", 0);
        m.heard("b", 1_000);
        assertEquals(List.of("a", "b"), m.live(3_000));
        assertEquals(List.of("b"), m.live(3_001));
        m.left("b");
        assertEquals(List.of(), m.live(3_002));
        m.heard("a", 5_000);
        m.heard("a", 4_000); // a late, older heartbeat does not move the time back
        assertEquals(List.of("a"), m.live(7_500));
    }

    @Test
    void anAskWithEveryAnswerIsCompleteAndOneWithASilentMemberIsPartialWithinTheBound() throws Exception {
        ScatterGather g = new ScatterGather(4, TimeUnit.MILLISECONDS.toNanos(300));
        ScatterGather.Result all = g.ask(List.of("a", "b"), "q", (id, q) -> {
            g.answered(id, "a", "1");
            g.answered(id, "b", "2");
        });
        assertFalse(all.partial());
        assertEquals(Map.of("a", "1", "b", "2"), all.answers());
        long t0 = System.nanoTime();
        ScatterGather.Result some = g.ask(List.of("a", "b", "c"), "q", (id, q) -> g.answered(id, "b", "2"));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(some.partial());
        assertEquals(List.of("a", "c"), some.missing());
        assertTrue(waited >= 290 && waited < 5_000, "waited " + waited + " ms");
        g.answered(99, "a", "late"); // an answer to nothing waiting is dropped
        assertEquals(0, g.inFlight());
    }

    @Test
    void theQueryBeyondTheBoundInFlightIsRefusedAndItsSlotComesBack() throws Exception {
        ScatterGather g = new ScatterGather(2, TimeUnit.SECONDS.toNanos(10));
        CountDownLatch asked = new CountDownLatch(2);
        List<Long> ids = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<ScatterGather.Result>> waiting = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                waiting.add(pool.submit(() -> g.ask(List.of("a"), "q", (id, q) -> {
                    synchronized (ids) {
                        ids.add(id);
                    }
                    asked.countDown();
                })));
            }
            assertTrue(asked.await(10, TimeUnit.SECONDS));
            assertThrows(ScatterGather.Full.class, () -> g.ask(List.of("a"), "q", (id, q) -> { }));
            synchronized (ids) {
                ids.forEach(id -> g.answered(id, "a", "x"));
            }
            for (Future<ScatterGather.Result> f : waiting) {
                assertFalse(f.get(10, TimeUnit.SECONDS).partial());
            }
            assertFalse(g.ask(List.of("a"), "q", (id, q) -> g.answered(id, "a", "y")).partial());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void questionsSurviveTheirEncoding() {
        for (PresenceQuestion q : List.of(PresenceQuestion.totals(), PresenceQuestion.group("g\"1", "u5", 10),
                PresenceQuestion.online(List.of("a", "b")), PresenceQuestion.userGroups("u"))) {
            assertEquals(q, PresenceQuestion.decode(q.encode()));
        }
        assertThrows(IllegalArgumentException.class, () -> PresenceQuestion.decode("{\"kind\":\"NOPE\"}"));
    }

    /** Three nodes' members of one group, paged by 7 through the merge, give every user once with the sum. */
    @Test
    void pagesOfGroupMembersMergedFromSeveralNodesListEveryUserOnceWithTheSumOfItsConnections() {
        Random rnd = new Random(7);
        List<TreeMap<String, Integer>> nodes = List.of(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
        TreeMap<String, Integer> model = new TreeMap<>();
        for (int i = 0; i < 200; i++) {
            String uid = "u" + rnd.nextInt(60);
            nodes.get(rnd.nextInt(3)).merge(uid, 1, Integer::sum);
            model.merge(uid, 1, Integer::sum);
        }
        TreeMap<String, Integer> seen = new TreeMap<>();
        String after = "";
        int pages = 0;
        while (true) {
            PresenceQuestion q = PresenceQuestion.group("g", after, 7);
            Map<String, String> answers = new TreeMap<>();
            for (int n = 0; n < 3; n++) {
                answers.put("w" + n, localGroupAnswer(nodes.get(n), q, n));
            }
            JsonObject page = JsonParser.parseString(PresenceMerge.merge(q,
                    new ScatterGather.Result(answers, List.of()))).getAsJsonObject();
            assertEquals(3, page.get("anonymous").getAsInt());
            page.getAsJsonArray("members").forEach(e -> {
                JsonObject m = e.getAsJsonObject();
                assertEquals(null, seen.put(m.get("uid").getAsString(), m.get("connections").getAsInt()));
            });
            assertTrue(page.getAsJsonArray("members").size() <= 7);
            pages++;
            if (!page.has("next")) {
                break;
            }
            after = page.get("next").getAsString();
        }
        assertEquals(model, seen);
        assertEquals((model.size() + 6) / 7, pages);
    }

    /** What one node answers (see LocalPresence): its first {@code limit} users after the cursor; 1 anonymous. */
    private static String localGroupAnswer(TreeMap<String, Integer> members, PresenceQuestion q, int n) {
        JsonObject o = new JsonObject();
        JsonObject m = new JsonObject();
        var tail = q.after().isEmpty() ? members : members.tailMap(q.after(), false);
        tail.entrySet().stream().limit(q.limit()).forEach(e -> m.addProperty(e.getKey(), e.getValue()));
        o.add("members", m);
        o.addProperty("anonymous", 1);
        o.addProperty("more", tail.size() > q.limit());
        return o.toString();
    }

    @Test
    void totalsCountAUserOnSeveralNodesOnceAndAPartialAnswerNamesTheMissingNodes() {
        Map<String, String> answers = Map.of(
                "a", "{\"connections\":3,\"users\":2,\"user_hashes\":[1,2]}",
                "b", "{\"connections\":2,\"users\":2,\"user_hashes\":[2,3]}");
        JsonObject o = JsonParser.parseString(PresenceMerge.merge(PresenceQuestion.totals(),
                new ScatterGather.Result(answers, List.of("c")))).getAsJsonObject();
        assertEquals(5, o.get("connections").getAsInt());
        assertEquals(3, o.get("users").getAsInt());
        assertEquals(2, o.get("nodes").getAsInt());
        assertTrue(o.get("partial").getAsBoolean());
        assertEquals("c", o.getAsJsonArray("missing").get(0).getAsString());
        assertFalse(o.has("users_at_most"));
    }

    @Test
    void onlineSumsConnectionsPerAskedUserAndSaysFalseForTheOthers() {
        Map<String, String> answers = Map.of("a", "{\"members\":{\"u1\":2}}", "b", "{\"members\":{\"u1\":1,\"x\":5}}");
        JsonObject o = JsonParser.parseString(PresenceMerge.merge(PresenceQuestion.online(List.of("u1", "u2")),
                new ScatterGather.Result(answers, List.of()))).getAsJsonObject();
        assertTrue(o.getAsJsonObject("online").get("u1").getAsBoolean());
        assertFalse(o.getAsJsonObject("online").get("u2").getAsBoolean());
        assertEquals(3, o.getAsJsonObject("connections").get("u1").getAsInt());
        assertFalse(o.getAsJsonObject("online").has("x"));
        assertFalse(o.get("partial").getAsBoolean());
    }
}
