package io.channelpush.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The push harness: opens N WebSocket clients against any server speaking the seed's URLs, then measures idle
 * memory per connection (from the server processes' resident set), broadcast fan-out, targeted pushes and group
 * messages: deliveries per second, publish-to-receive latency, lost deliveries. Clients and publisher run in this
 * JVM, non-blocking ({@link Transport} and {@link PublishClient}: the JDK's sockets by default, or Jetty's clients);
 * the report says how much CPU the servers and the harness itself used.
 */
final class PushBench {
    private final PushBenchOptions o;
    private final PrintStream out;
    private final Deliveries deliveries = new Deliveries();
    private final List<BenchClient> clients = new ArrayList<>();
    private Transport transport;
    private PublishClient publisherHttp;
    private final PushReport report;
    private final String pad;

    private PushBench(PushBenchOptions o, PrintStream out, String command) {
        this.o = o;
        this.out = out;
        this.report = new PushReport(o, command);
        this.pad = "x".repeat(Math.max(0, o.payload() - 40));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (List.of(args).contains("--help")) {
            out.print(PushBenchOptions.USAGE);
            return 0;
        }
        PushBenchOptions o;
        try {
            o = PushBenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("push: " + e.getMessage());
            err.print(PushBenchOptions.USAGE);
            return 2;
        }
        PushBench b = new PushBench(o, out, "BenchMain push " + String.join(" ", args));
        try {
            b.start();
            b.connectAll();
            if (o.phases().contains("broadcast")) {
                if (o.warmupBroadcasts() > 0) {
                    b.broadcast(o.warmupBroadcasts(), false, false);
                }
                b.broadcast(Math.max(1, o.broadcasts() / 5), false, true);
                b.broadcast(o.broadcasts(), true, true);
            }
            if (o.phases().contains("targeted")) {
                b.targeted(Math.max(1, o.pushes() / 5), false);
                b.targeted(o.pushes(), true);
            }
            if (o.phases().contains("groups")) {
                b.groups();
            }
            boolean presence = o.phases().contains("presence");
            long heapBefore = presence ? PushReport.heapUsedKb(o.pids()) : 0;
            if (o.phases().contains("users") || presence) {
                b.bindUsers();
            }
            if (o.phases().contains("users")) {
                b.toUid(Math.max(1, o.pushes() / 5), false);
                b.toUid(o.pushes(), true);
            }
            if (presence) {
                PresencePhase p = new PresencePhase(o, out, b.publisherHttp, b.clients, b.report,
                        o.phases().contains("groups"));
                p.awaitTotals();
                long heapUsers = PushReport.heapUsedKb(o.pids());
                p.joinGroups();
                b.report.bookkeeping(out, b.clients.size(), heapBefore, heapUsers, PushReport.heapUsedKb(o.pids()));
                p.measure();
            }
        } finally {
            b.stop();
        }
        b.report.finish(out, cpuSeconds(), b.deliveries.unexpectedCloses());
        Files.writeString(Path.of(o.out()), b.report.json());
        out.println("# JSON: " + o.out());
        return 0;
    }

    private void start() throws Exception {
        publisherHttp = PublishClient.create(o.client(), Math.max(64, o.window() * 2),
                o.publishToken().isEmpty() ? null : "Bearer " + o.publishToken());
        transport = Transport.create(o.client(), o);
        report.header(out);
    }

    private long deadline() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(o.timeoutSeconds());
    }

    /**
     * Opens and closes {@code --warm-connections} clients before the connect rate and the memory baseline are
     * measured, so that what a server spends once (worker threads for handshakes, compiled code, heap pages touched
     * by the first allocations) is not charged to the connections measured, and the harness's own code is compiled.
     */
    private void warmUpConnections() throws Exception {
        ConnectRamp ramp = new ConnectRamp(transport, deliveries, o.wsUrls());
        List<BenchClient> warm = ramp.run(o.warmConnections(), o.connectWindow(), o.clients(), 0, deadline());
        warm.forEach(BenchClient::close);
        CompletableFuture.allOf(warm.stream().map(c -> c.closed).toArray(CompletableFuture[]::new))
                .get(60, TimeUnit.SECONDS);
    }

    private void connectAll() throws Exception {
        // memory is read only for the idle phase: a GC and a 2 s settle would stretch a connect-only run
        boolean idle = o.phases().contains("idle") && !o.pids().isEmpty();
        if (o.warmConnections() > 0) {
            warmUpConnections();
        }
        long rssBefore = idle ? PushReport.rssKb(o.pids()) : 0;
        ConnectRamp ramp = new ConnectRamp(transport, deliveries, o.wsUrls());
        Cpu cpu0 = cpu();
        long t0 = System.nanoTime();
        clients.addAll(ramp.run(o.clients(), o.connectWindow(), 0, 0, deadline()));
        long t1 = ramp.lastWelcomeNanos();
        Cpu used = cpu().since(cpu0);
        double seconds = Math.max(1e-9, (t1 - t0) / 1e9);
        long rssAfter = 0;
        if (idle) {
            // let the servers settle (allocation after the last handshake) before reading their memory
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
            rssAfter = PushReport.rssKb(o.pids());
        }
        report.connected(out, clients.size(), ramp.failures(), seconds, ramp.latency(), used, rssBefore, rssAfter);
        if (clients.size() < o.clients()) {
            throw new IllegalStateException((o.clients() - clients.size()) + " of " + o.clients()
                    + " clients were not welcomed within --timeout-seconds; first failure: " + ramp.firstFailure());
        }
        if (o.holdSeconds() > 0) {
            out.println("# holding " + clients.size() + " connections for " + o.holdSeconds() + " s");
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(o.holdSeconds()));
        }
    }

    private String content(String phase, int i) {
        return phase + ":" + i + ":" + System.nanoTime() + ":" + pad;
    }

    /**
     * @param measured false for the unreported warm-ups that let the JITs settle
     * @param paced whether {@code --rate} and {@code --in-flight} apply (false: as fast as the window allows)
     */
    private void broadcast(int count, boolean measured, boolean paced) throws Exception {
        String phase = measured ? "b" : "wb";
        deliveries.start(phase, count, clients.size());
        Publisher p = new Publisher(publisherHttp, o.httpUrls(), o.window(), paced ? o.rate() : 0);
        long expected = (long) count * clients.size();
        Cpu cpu0 = cpu();
        long t0 = System.nanoTime();
        long deadline = deadline();
        int inFlight = paced ? o.inFlight() : 0;
        // with --in-flight, broadcast i waits until broadcast i - inFlight has reached every client
        p.run(count, i -> "content=" + Publisher.encode(content(phase, i)),
                i -> inFlight == 0 || i < inFlight || deliveries.awaitDelivered(i - inFlight, deadline), deadline);
        awaitCount(expected, deadline);
        if (measured) {
            report.phase(out, "broadcast", count, p.failures.get(), expected, deliveries, t0,
                    cpu().since(cpu0));
        }
    }

    /** @param measured false for the unreported warm-up */
    private void targeted(int count, boolean measured) throws Exception {
        String phase = measured ? "t" : "wt";
        deliveries.start(phase);
        Publisher p = new Publisher(publisherHttp, o.httpUrls(), o.window(), o.rate());
        Random r = new Random(measured ? 1 : 2);
        int[] targets = r.ints(count, 0, clients.size()).toArray();
        Cpu cpu0 = cpu();
        long t0 = System.nanoTime();
        long deadline = deadline();
        p.run(count, i -> {
            BenchClient c = clients.get(targets[i]);
            return "to_worker_id=" + Publisher.encode(c.workerId) + "&to_connection_id=" + c.connectionId
                    + "&content=" + Publisher.encode(content(phase, i));
        }, deadline);
        awaitCount(count, deadline);
        if (measured) {
            report.phase(out, "targeted", count, p.failures.get(), count, deliveries, t0,
                    cpu().since(cpu0));
        }
    }

    /** Binds clients 2k and 2k+1 to user {@code bench-u<k>} through the publishers, round-robin. */
    private void bindUsers() throws Exception {
        Publisher binder = new Publisher(publisherHttp, o.httpUrls(), o.window(), 0);
        binder.run(clients.size(), i -> "bind_uid=bench-u" + i / 2 + "&to_worker_id="
                + Publisher.encode(clients.get(i).workerId) + "&to_connection_id=" + clients.get(i).connectionId,
                deadline());
        if (binder.failures.get() > 0) {
            throw new IllegalStateException(binder.failures.get() + " bind_uid requests were refused");
        }
    }

    /**
     * Pushes to random users ({@code to_uid}), each reaching its two clients. The unreported warm-up also shows that
     * every bind has landed: a push to a user whose bind had not arrived would be missing from the count.
     */
    private void toUid(int count, boolean measured) throws Exception {
        String phase = measured ? "u" : "wu";
        deliveries.start(phase);
        int users = (clients.size() + 1) / 2;
        Publisher p = new Publisher(publisherHttp, o.httpUrls(), o.window(), o.rate());
        int[] targets = new Random(measured ? 3 : 4).ints(count, 0, users).toArray();
        long expected = 0;
        for (int t : targets) {
            expected += 2 * t + 1 < clients.size() ? 2 : 1;
        }
        Cpu cpu0 = cpu();
        long t0 = System.nanoTime();
        long deadline = deadline();
        p.run(count, i -> "to_uid=bench-u" + targets[i] + "&content=" + Publisher.encode(content(phase, i)), deadline);
        awaitCount(expected, deadline);
        if (measured) {
            report.phase(out, "to_uid", count, p.failures.get(), expected, deliveries, t0, cpu().since(cpu0));
        }
    }

    private void groups() throws Exception {
        int[] members = new int[o.groups()];
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            BenchClient c = clients.get(i);
            c.acked = new CompletableFuture<>();
            acks.add(c.acked);
            members[i % o.groups()]++;
            c.send("{\"cmd\":\"add_group\",\"group_id\":\"bench-" + (i % o.groups()) + "\",\"id\":" + i + "}");
        }
        CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
        deliveries.start("g");
        long expected = 0;
        Cpu cpu0 = cpu();
        long t0 = System.nanoTime();
        long deadline = deadline();
        long interval = o.rate() > 0 ? TimeUnit.SECONDS.toNanos(1) / o.rate() : 0;
        for (int k = 0; k < o.groupMessages() && System.nanoTime() < deadline; k++) {
            int group = k % o.groups();
            expected += members[group];
            // sent by a member of the group, over its socket, paced so as not to trip the rate limit
            BenchClient sender = clients.get(group + o.groups() * (k / o.groups() % Math.max(1, members[group])));
            sender.send("{\"cmd\":\"send_to_group\",\"group_id\":\"bench-" + group + "\",\"message\":\""
                    + content("g", k) + "\"}");
            if (interval > 0) {
                LockSupport.parkNanos(interval);
            }
        }
        awaitCount(expected, deadline);
        report.phase(out, "groups", o.groupMessages(), deliveries.errors(), expected, deliveries, t0,
                cpu().since(cpu0));
    }

    private void awaitCount(long expected, long deadline) {
        while (deliveries.count() < expected && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private void stop() throws Exception {
        deliveries.stopping();
        clients.forEach(BenchClient::close);
        if (transport != null) {
            transport.close();
        }
        if (publisherHttp != null) {
            publisherHttp.close();
        }
    }

    /** CPU seconds used so far by the servers ({@code --pids}) and by this JVM. */
    record Cpu(double servers, double harness) {
        Cpu since(Cpu start) {
            return new Cpu(servers - start.servers, harness - start.harness);
        }
    }

    private Cpu cpu() throws java.io.IOException {
        return new Cpu(PushReport.cpuSeconds(o.pids()), cpuSeconds());
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }
}
