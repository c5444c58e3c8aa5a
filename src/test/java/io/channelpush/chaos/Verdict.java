package io.channelpush.chaos;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a chaos run delivered, judged against what the publishers were answered: every publish answered ok reached
 * every client that stayed connected (plain clients never disconnected) or recovered (JSON clients, unless told
 * {@code false} for that stream) exactly once and in order per publisher and stream; 503s and refused requests
 * reached nobody; 504s and unanswered requests reached each client at most once; no client got a stream it does not
 * follow; no recovery was answered {@code false} (the run never loses history: the daemon keeps it on disk, JetStream
 * in its store, and retention covers the run). Counts are printed; {@link #failures()} says what was lost, by whom,
 * and in which phase it was published. Built once, after the run; not thread-safe.
 */
final class Verdict {
    private static final int DETAILS = 25;
    private static final List<String> ALL_STREAMS = List.of(Streams.BROADCAST, "group:g1", "group:g2");

    private final Timeline timeline;
    private final Map<String, Long> counts = new TreeMap<>();
    private final Map<String, Integer> lostByPhase = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<String, Integer> failureKinds = new TreeMap<>();
    private final Map<String, Integer> details = new HashMap<>();
    private final List<String> summary = new ArrayList<>();

    private Verdict(Timeline timeline) {
        this.timeline = timeline;
    }

    static Verdict judge(Timeline timeline, List<Publisher> publishers, List<ChaosClient> clients) {
        Verdict v = new Verdict(timeline);
        Map<String, List<Publisher.Publish>> sent = new HashMap<>();
        for (Publisher p : publishers) {
            sent.put(p.name, p.publishes());
        }
        v.countPublishes(sent);
        for (ChaosClient c : clients) {
            v.judgeClient(c, sent);
        }
        v.summarize(clients);
        return v;
    }

    private void countPublishes(Map<String, List<Publisher.Publish>> sent) {
        sent.forEach((name, list) -> {
            Map<Outcome, Integer> total = new EnumMap<>(Outcome.class);
            Map<String, Map<Outcome, Integer>> byPhase = new TreeMap<>();
            List<String> others = new ArrayList<>();
            for (Publisher.Publish p : list) {
                total.merge(p.outcome(), 1, Integer::sum);
                byPhase.computeIfAbsent(String.format("%02d %s", p.phase(), timeline.name(p.phase())),
                        k -> new EnumMap<>(Outcome.class)).merge(p.outcome(), 1, Integer::sum);
                if (p.outcome() == Outcome.OTHER && others.size() < 5) {
                    others.add(name + ":" + p.seq() + " answered " + p.answer());
                }
            }
            summary.add("publisher " + name + ": " + list.size() + " publishes " + labels(total));
            byPhase.forEach((phase, o) -> summary.add("    phase " + phase + ": " + labels(o)));
            for (String o : others) {
                fail("publish answered neither ok, 503 nor 504", o);
            }
        });
    }

    private static String labels(Map<Outcome, Integer> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((o, n) -> b.append(b.length() == 0 ? "" : ", ").append(o.label).append(' ').append(n));
        return "(" + b + ")";
    }

    private void judgeClient(ChaosClient c, Map<String, List<Publisher.Publish>> sent) {
        boolean stayed = !c.json && c.closes().isEmpty();
        Map<String, String> toldFalse = c.toldFalse();
        for (String v : c.violations()) {
            fail("protocol violation", v);
        }
        if (c.json && !c.connected()) {
            fail("JSON client not connected at the end", c + " closes " + c.closes());
        }
        for (RecoveryAttempt r : c.recoveries()) {
            count(r.refused != null ? "recoveries refused or cut" : "recoveries answered");
            count("messages received between recover and recovered", r.replayed);
            if (r.result != null) {
                r.result.forEach((stream, ok) -> {
                    count("recovered " + (stream.startsWith("group:") ? "group" : stream) + " " + ok);
                    if (!ok) {
                        fail("recovery answered false", c + " asked " + r.asked + " on " + r.node + " in phase "
                                + timeline.describe(r.phase));
                    }
                });
            }
        }
        List<String> followed = Streams.followedBy(c.group);
        sent.forEach((publisher, publishes) -> {
            for (String stream : ALL_STREAMS) {
                IntList got = c.received(publisher, stream);
                IntList at = c.receivedPhases(publisher, stream);
                IntList replay = c.receivedInRecovery(publisher, stream);
                if (!followed.contains(stream)) {
                    if (got.size() > 0) {
                        fail("message of a stream the client does not follow", c + " got " + publisher + ":"
                                + got.get(0) + " of " + stream + " in phase " + timeline.describe(at.get(0))
                                + " (" + got.size() + " such)");
                    }
                    continue;
                }
                boolean mustHaveAll = c.json ? !toldFalse.containsKey(stream) : stayed;
                judgeStream(c, publisher, stream, publishes, got, at, replay, mustHaveAll);
            }
        });
        count(c.json ? "JSON clients" : stayed ? "plain clients that stayed connected"
                : "plain clients that did not stay connected");
    }

    private void judgeStream(ChaosClient c, String publisher, String stream, List<Publisher.Publish> publishes,
                             IntList got, IntList at, IntList replay, boolean mustHaveAll) {
        String who = c.json ? " (JSON clients)" : " (plain clients)";
        Map<Integer, Integer> seen = new HashMap<>();
        Map<Integer, Integer> firstAt = new HashMap<>();
        int lastOk = 0;
        for (int i = 0; i < got.size(); i++) {
            int seq = got.get(i);
            int n = seen.merge(seq, 1, Integer::sum);
            if (n == 1) {
                firstAt.put(seq, i);
            }
            int first = firstAt.get(seq);
            String firstCopy = n == 1 ? "" : " (first copy in phase " + timeline.describe(at.get(first))
                    + (replay.get(first) == 1 ? ", while a recover was pending)" : ")");
            String during = replay.get(i) == 1 ? ", arriving while its recover was pending" : "";
            String where = c + " got " + publisher + ":" + seq + " in phase " + timeline.describe(at.get(i))
                    + (replay.get(i) == 1 ? " while its recover was pending" : "");
            if (seq < 1 || seq > publishes.size()) {
                fail("message never published" + who, where);
                continue;
            }
            Publisher.Publish p = publishes.get(seq - 1);
            String answered = ", answered " + p.outcome().label + " in phase " + timeline.describe(p.phase());
            if (!p.outcome().mayArrive()) {
                fail((p.outcome() == Outcome.UNAVAILABLE ? "publish answered 503 was delivered"
                        : "refused request was delivered") + who, where + answered);
            } else if (p.outcome() == Outcome.OK) {
                if (n > 1) {
                    fail("publish answered ok delivered twice" + who + during, where + firstCopy + answered);
                } else {
                    count(mustHaveAll ? "ok deliveries to complete clients" : "ok deliveries to others");
                    if (seq < lastOk) {
                        fail("publish answered ok out of order" + who + during, where + " after " + publisher + ":" + lastOk);
                    }
                    lastOk = Math.max(lastOk, seq);
                }
            } else if (n > 1) {
                fail("publish answered " + p.outcome().label + " delivered twice" + who, where + firstCopy + answered);
            } else {
                count(p.outcome().label + " publishes delivered (at most once: allowed)");
            }
        }
        if (!mustHaveAll) {
            return;
        }
        List<Publisher.Publish> lost = new ArrayList<>();
        for (Publisher.Publish p : publishes) {
            if (p.outcome() == Outcome.OK && p.stream().equals(stream)) {
                count("ok deliveries expected");
                if (!seen.containsKey(p.seq())) {
                    lost.add(p);
                    lostByPhase.merge(timeline.describe(p.phase()), 1, Integer::sum);
                }
            }
        }
        if (!lost.isEmpty()) {
            count("ok deliveries lost", lost.size());
            fail("publish answered ok lost (deliveries)" + who, c + " never got " + lost.size() + " of " + stream + ": "
                    + ranges(publisher, lost), lost.size());
        }
    }

    /** "A:46-94 (published in 'phase' ...), A:120 (...)": consecutive losses of one phase as one range. */
    private String ranges(String publisher, List<Publisher.Publish> lost) {
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < lost.size() && shown < 6; shown++) {
            int j = i;
            while (j + 1 < lost.size() && lost.get(j + 1).phase() == lost.get(i).phase()) {
                j++;
            }
            Publisher.Publish first = lost.get(i);
            b.append(shown == 0 ? "" : ", ").append(publisher).append(':').append(first.seq());
            if (j > i) {
                b.append("..").append(lost.get(j).seq()).append(" (").append(j - i + 1).append(')');
            }
            b.append(" answered ok in phase ").append(timeline.describe(first.phase())).append(" at +")
                    .append(String.format("%.2f", first.atMillis() / 1e3)).append(" s");
            i = j + 1;
        }
        return b.toString();
    }

    private void summarize(List<ChaosClient> clients) {
        int connections = 0;
        int closesOfPlain = 0;
        for (ChaosClient c : clients) {
            connections += c.closes().size();
            if (!c.json) {
                closesOfPlain += c.closes().size();
            }
        }
        count("connections lost (all clients)", connections);
        count("connections lost (plain clients)", closesOfPlain);
        lostByPhase.forEach((phase, n) -> summary.add("ok deliveries lost, published in phase " + phase + ": " + n));
        // a run that recovered nothing, or delivered nothing, proves nothing
        if (clients.stream().anyMatch(c -> c.json) && counted("recovered broadcast true") == 0) {
            fail("no recovery of the broadcast stream was answered true", "the run showed no recovery");
        }
        if (counted("ok deliveries to complete clients") == 0) {
            fail("no publish answered ok reached a client", "the run showed no delivery");
        }
    }

    private void count(String what) {
        count(what, 1);
    }

    private void count(String what, long n) {
        counts.merge(what, n, Long::sum);
    }

    private void fail(String kind, String detail) {
        fail(kind, detail, 1);
    }

    /** Counts {@code n} failures of {@code kind}; keeps the detail of the first {@value #DETAILS} calls per kind. */
    private void fail(String kind, String detail, int n) {
        failureKinds.merge(kind, n, Integer::sum);
        if (details.merge(kind, 1, Integer::sum) <= DETAILS) {
            failures.add(kind + ": " + detail);
        }
    }

    /** A count printed by {@link #print}, 0 when nothing was counted under that name. */
    long counted(String what) {
        return counts.getOrDefault(what, 0L);
    }

    /** Failures, by kind with totals first, then up to 25 examples of each. */
    List<String> failures() {
        List<String> all = new ArrayList<>();
        failureKinds.forEach((kind, n) -> all.add(n + " x " + kind));
        lostByPhase.forEach((phase, n) -> all.add("  ok deliveries lost, published in phase " + phase + ": " + n));
        all.addAll(failures);
        return all;
    }

    boolean passed() {
        return failureKinds.isEmpty();
    }

    void print(PrintStream out, String title) {
        out.println("=== " + title);
        summary.forEach(out::println);
        counts.forEach((k, n) -> out.println(String.format("%-62s %,d", k, n)));
        if (passed()) {
            out.println("no failures");
        } else {
            failures().forEach(f -> out.println("FAIL " + f));
        }
    }
}
