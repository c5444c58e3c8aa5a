package io.channelpush.bench;

import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;

/**
 * The push harness's presence phase: the publisher's presence queries over HTTP, as an application asks them,
 * against clients already bound to users. Once {@code presence=1} counts every connection and user
 * ({@link #awaitTotals}), each user's clients join the user's group over their sockets ({@link #joinGroups}), then
 * each kind of query is asked
 * {@code --queries} times, one at a time, through the first publisher URL, after an unreported warm-up of a fifth as
 * many. Every answer is checked against {@link PresenceModel}: a wrong or partial one ends the run with it, so the
 * figures are only ever those of right answers. Not thread-safe: one caller.
 */
final class PresencePhase {
    private final PushBenchOptions o;
    private final PrintStream out;
    private final PublishClient http;
    private final List<BenchClient> clients;
    private final PushReport report;
    private final PresenceModel model;
    private final URI via;

    PresencePhase(PushBenchOptions o, PrintStream out, PublishClient http, List<BenchClient> clients, PushReport report,
                  boolean socketGroupsJoined) {
        this.o = o;
        this.out = out;
        this.http = http;
        this.clients = clients;
        this.report = report;
        long nodes = clients.stream().map(c -> c.workerId).distinct().count();
        this.model = new PresenceModel(clients.size(), o.groups(), socketGroupsJoined ? o.groups() : 0, (int) nodes);
        this.via = o.httpUrls().get(0);
    }


    /** Asks and checks each kind of query, and reports its latency. */
    void measure() throws Exception {
        int users = model.users();
        int n = o.queries();
        out.printf("# presence queries through %s, one at a time: %,d connections, %,d users (2 connections each),"
                + " %,d groups; %,d queries of each kind after %,d unreported%n", via, clients.size(), users,
                o.groups(), n, n / 5);
        Random r = new Random(5);
        measure("presence=1", n, i -> "presence=1", (answer, i) -> model.checkTotals(answer));
        int[] groupOf = r.ints(n + n / 5, 0, o.groups()).toArray();
        measure("group_members", n, i -> "group_members=presence-" + groupOf[i] + "&limit=1000",
                (answer, i) -> model.checkGroup(groupOf[i], answer));
        // a tenth of the ids asked are of users that never connected (online false)
        int bound = users + Math.max(1, users / 10);
        List<int[]> idSets = new ArrayList<>();
        for (int i = 0; i < n + n / 5; i++) {
            idSets.add(r.ints(0, bound).distinct().limit(Math.min(10, bound)).toArray());
        }
        measure("online (10 ids)", n, i -> "online=" + String.join(",", PresenceModel.ids(idSets.get(i))),
                (answer, i) -> model.checkOnline(idSets.get(i), answer));
        int[] userOf = r.ints(n + n / 5, 0, users).toArray();
        measure("user_groups", n, i -> "user_groups=" + PresenceModel.uid(userOf[i]),
                (answer, i) -> model.checkUserGroups(userOf[i], answer));
    }

    /** Each user's clients join its group over their sockets; returns when every join is acknowledged. */
    void joinGroups() throws Exception {
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            BenchClient c = clients.get(i);
            c.acked = new CompletableFuture<>();
            acks.add(c.acked);
            c.send("{\"cmd\":\"add_group\",\"group_id\":\"" + model.group(i) + "\",\"id\":" + i + "}");
        }
        CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).get(o.timeoutSeconds(), TimeUnit.SECONDS);
    }

    /** The binds travel through the bus and are applied when they arrive: waits until presence counts them all. */
    void awaitTotals() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.timeoutSeconds());
        String last = ask("presence=1");
        while (!model.totalsRight(last)) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("presence never counted every connection and user: " + last);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            last = ask("presence=1");
        }
    }

    /** Asks {@code count / 5} unreported then {@code count} reported queries; query i is {@code query.apply(i)}. */
    private void measure(String kind, int count, IntFunction<String> query, ObjIntConsumer<String> check)
            throws Exception {
        int warm = count / 5;
        for (int i = 0; i < warm; i++) {
            check.accept(ask(query.apply(count + i)), count + i);
        }
        long[] nanos = new long[count];
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String q = query.apply(i);
            long s = System.nanoTime();
            String answer = ask(q);
            nanos[i] = System.nanoTime() - s;
            try {
                check.accept(answer, i);
            } catch (IllegalStateException wrong) {
                // whether the cluster's totals are wrong for good or were wrong for a moment helps find out why
                throw new IllegalStateException(wrong.getMessage() + " (query " + (i + 1) + " of " + count
                        + "); presence=1 asked again: " + ask("presence=1") + ", then " + ask("presence=1"), wrong);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(nanos);
        report.presence(out, kind, nanos, seconds);
    }

    /** One query through the first publisher; anything but 200 ends the run. */
    private String ask(String query) throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        http.getBody(via, "/?" + query, (status, body) -> {
            if (status == 200) {
                answer.complete(body);
            } else {
                answer.completeExceptionally(new IllegalStateException(query + " answered " + status + ": " + body));
            }
        });
        return answer.get(o.timeoutSeconds(), TimeUnit.SECONDS);
    }
}
