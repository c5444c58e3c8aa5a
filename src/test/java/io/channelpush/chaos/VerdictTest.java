package io.channelpush.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chaos verdict without sockets: clients fed frames by hand, publishers with recorded answers. A clean run passes;
 * each kind of breach (a lost, duplicated, reordered or leaked ok publish, a delivered 503, a 504 twice, a false
 * recovery) fails and is named.
 */
class VerdictTest {
    private final Timeline timeline = new Timeline();

    /** Publishes 1..n of "A", all answered {@code outcome} except those listed in {@code others} as 503. */
    private Publisher publisher(int n, int... unavailable) {
        List<Publisher.Publish> list = new ArrayList<>();
        for (int seq = 1; seq <= n; seq++) {
            Outcome o = Outcome.OK;
            for (int u : unavailable) {
                if (u == seq) {
                    o = Outcome.UNAVAILABLE;
                }
            }
            list.add(new Publisher.Publish(seq, Streams.of(seq), o, o.label, timeline.current(), 0));
        }
        return Publisher.recorded("A", list);
    }

    private ChaosClient plain(String group) {
        ChaosClient c = new ChaosClient("plain-0", false, group, null, timeline);
        c.onWebSocketText("workerID:w connectionID:1 connected\n");
        return c;
    }

    /** Feeds {@code c} the broadcasts (and g1 messages, for a member) among {@code seqs}, as plain text. */
    private static void feed(ChaosClient c, int... seqs) {
        for (int s : seqs) {
            c.onWebSocketText("A:" + s);
        }
    }

    private static Verdict judge(Publisher p, ChaosClient c) {
        return Verdict.judge(new Timeline(), List.of(p), List.of(c));
    }

    private static boolean failsWith(Verdict v, String kind) {
        return v.failures().stream().anyMatch(f -> f.contains(kind));
    }

    @Test
    void aPlainClientWithEveryOkBroadcastOnceAndInOrderPasses() {
        Publisher p = publisher(6);
        ChaosClient c = plain(null);
        feed(c, 2, 4, 6); // 1, 3, 5 went to groups
        Verdict v = judge(p, c);
        assertTrue(v.passed(), String.valueOf(v.failures()));
        assertEquals(3, v.counted("ok deliveries to complete clients"));
    }

    @Test
    void aMissingOkPublishIsLostAndNamed() {
        Verdict v = judge(publisher(6), withFed(plain(null), 2, 6));
        assertFalse(v.passed());
        assertTrue(failsWith(v, "publish answered ok lost"), String.valueOf(v.failures()));
        assertTrue(v.failures().stream().anyMatch(f -> f.contains("A:4")), String.valueOf(v.failures()));
    }

    @Test
    void aDuplicateAndAReorderingAreFailures() {
        assertTrue(failsWith(judge(publisher(4), withFed(plain(null), 2, 2, 4)), "delivered twice"));
        assertTrue(failsWith(judge(publisher(4), withFed(plain(null), 4, 2)), "out of order"));
    }

    @Test
    void a503DeliveredIsAFailureAndItsAbsenceIsNot() {
        assertTrue(failsWith(judge(publisher(4, 2), withFed(plain(null), 2, 4)), "503 was delivered"));
        assertTrue(judge(publisher(4, 2), withFed(plain(null), 4)).passed());
    }

    @Test
    void a504MayArriveOnceButNotTwice() {
        List<Publisher.Publish> list = new ArrayList<>();
        for (int seq = 1; seq <= 4; seq++) {
            Outcome o = seq == 4 ? Outcome.UNKNOWN : Outcome.OK;
            list.add(new Publisher.Publish(seq, Streams.of(seq), o, o.label, 0, 0));
        }
        assertTrue(judge(Publisher.recorded("A", list), withFed(plain(null), 2, 4)).passed());
        assertTrue(failsWith(judge(Publisher.recorded("A", list), withFed(plain(null), 2, 4, 4)),
                "publish answered 504 delivered twice"));
    }

    @Test
    void aGroupMessageReachingANonMemberIsALeak() {
        Verdict v = judge(publisher(4), withFed(plain(null), 1, 2, 4));
        assertTrue(failsWith(v, "does not follow"), String.valueOf(v.failures()));
    }

    @Test
    void aJsonClientToldFalseIsExcusedForThatStreamButTheFalseIsReported() {
        ChaosClient c = new ChaosClient("json-1", true, null, null, timeline);
        c.onWebSocketText("{\"type\":\"welcome\",\"worker_id\":\"w\",\"connection_id\":1}");
        c.onWebSocketText("{\"type\":\"message\",\"stream\":\"broadcast\",\"epoch\":\"e\",\"offset\":1,"
                + "\"content\":\"A:2\"}");
        c.onWebSocketText("{\"type\":\"welcome\",\"worker_id\":\"w\",\"connection_id\":2}"); // a reconnection
        c.onWebSocketText("{\"type\":\"recovered\",\"streams\":{\"broadcast\":false}}");
        Verdict v = judge(publisher(6), c);
        assertFalse(failsWith(v, "lost"), String.valueOf(v.failures()));
        assertTrue(failsWith(v, "recovery answered false"), String.valueOf(v.failures()));
    }

    @Test
    void anOffsetGoingBackIsAProtocolViolation() {
        ChaosClient c = new ChaosClient("json-1", true, null, null, timeline);
        c.onWebSocketText("{\"type\":\"welcome\",\"worker_id\":\"w\",\"connection_id\":1}");
        c.onWebSocketText("{\"type\":\"message\",\"stream\":\"broadcast\",\"epoch\":\"e\",\"offset\":2,"
                + "\"content\":\"A:4\"}");
        c.onWebSocketText("{\"type\":\"message\",\"stream\":\"broadcast\",\"epoch\":\"e\",\"offset\":1,"
                + "\"content\":\"A:2\"}");
        assertTrue(c.violations().stream().anyMatch(x -> x.contains("went from 2 to 1")), c.violations().toString());
    }

    private static ChaosClient withFed(ChaosClient c, int... seqs) {
        feed(c, seqs);
        return c;
    }
}
