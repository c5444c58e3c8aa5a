package io.channelpush.push.bus;

import io.channelpush.processes.PlacementProbe;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Three real {@code nats-server} processes with JetStream, named s0 to s2, each storing under {@code dir/s<i>} and
 * routed to the other two; their ports are chosen at once, the servers started when a test says
 * ({@link #startAll}, or one at a time with {@link #start}). {@link #close()} stops those started. The one place the
 * NATS bus tests build a cluster. Not thread-safe; one test drives it.
 */
final class NatsTestCluster implements AutoCloseable {
    static final int SIZE = 3;
    /** The bus's default stream bounds, with three replicas. */
    static final NatsStreamSettings R3 = replicas(3);

    private final Path dir;
    private final int[] ports = new int[SIZE];
    private final int[] routes = new int[SIZE];
    private final NatsServerProcess[] servers = new NatsServerProcess[SIZE];

    private NatsTestCluster(Path dir) throws Exception {
        this.dir = dir;
        for (int i = 0; i < SIZE; i++) {
            ports[i] = NatsServerProcess.freePort();
            routes[i] = NatsServerProcess.freePort();
        }
    }

    /** The cluster's ports, no server started yet. */
    static NatsTestCluster of(Path dir) throws Exception {
        return new NatsTestCluster(dir);
    }

    /**
     * All three servers started, and able to place a stream on all three ({@link PlacementProbe#formPlaceable}:
     * else started again on new ports and folders, 4 formations at most).
     */
    static NatsTestCluster startAll(Path dir) throws Exception {
        return PlacementProbe.formPlaceable(dir, SIZE, NatsTestCluster::startEach, c -> c.get(0).url(),
                NatsTestCluster::leaders, NatsTestCluster::close);
    }

    private static NatsTestCluster startEach(Path dir) throws Exception {
        NatsTestCluster c = new NatsTestCluster(dir);
        try {
            for (int i = 0; i < SIZE; i++) {
                c.start(i);
            }
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The last line of each started server's output that names its meta leader, or that none does. */
    String leaders() {
        StringBuilder out = new StringBuilder();
        for (NatsServerProcess s : servers) {
            if (s != null) {
                String last = "no meta leader named";
                for (String line : s.output().split("\n")) {
                    if (line.contains("metadata leader")) {
                        last = line.substring(line.lastIndexOf("] ") + 2).trim();
                    }
                }
                out.append(out.length() == 0 ? "" : "; ").append(s.name).append(": ").append(last);
            }
        }
        return out.toString();
    }

    /** The bus's default stream bounds with {@code n} replicas. */
    static NatsStreamSettings replicas(int n) {
        return new NatsStreamSettings(200_000, 256L << 20, Duration.ofMinutes(10), n, Duration.ofMinutes(2));
    }

    /** Starts server s{@code i}, ready when this returns. */
    NatsServerProcess start(int i) throws Exception {
        servers[i] = NatsServerProcess.startJetStream(Files.createDirectories(dir.resolve("s" + i)), "s" + i,
                ports[i], routes[i], routes[(i + 1) % SIZE], routes[(i + 2) % SIZE]);
        return servers[i];
    }

    /** Server s{@code i}, or null before it is started. */
    NatsServerProcess get(int i) {
        return servers[i];
    }

    /** Every server's URL, server {@code first} first. */
    String urls(int first) {
        return get(first).url() + "," + get((first + 1) % SIZE).url() + "," + get((first + 2) % SIZE).url();
    }

    /** The index of the server that leads the broadcast stream, asked of {@code via}. */
    static int leader(NatsServerProcess via) throws Exception {
        try (Connection c = Nats.connect(via.url())) {
            String name = c.jetStreamManagement().getStreamInfo("CHANNELPUSH_B").getClusterInfo().getLeader();
            return Integer.parseInt(name.substring(1));
        }
    }

    /**
     * A new cluster elects its leaders first: the first publishes may be refused. Retries for 60 s; when none is
     * acknowledged, fails with the last lines of each server's output, so that a cluster that did not form says why.
     */
    void awaitFirstAck(NatsBus bus, Duration ack) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                bus.publishAcked(Channels.BROADCAST, NatsStreamTest.text("-2"), ack).get(10, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() - end >= 0) {
                    StringBuilder out = new StringBuilder();
                    for (int i = 0; i < SIZE; i++) {
                        if (servers[i] != null) {
                            out.append("\n--- s").append(i).append(": ").append(jetStreamSeenFrom(servers[i]))
                                    .append("; last lines:\n").append(servers[i].tail(40));
                        }
                    }
                    throw new AssertionError("no acknowledged publish within 60 s: " + e.getCause() + out
                            + "\n--- the NATS threads:" + NatsConnectProbe.threads());
                }
                Thread.sleep(200); // retry pacing
            }
        }
    }

    /**
     * What a client of {@code server} gets from JetStream's API (account info, the broadcast stream's info), each
     * asked with a 2 s timeout: tells a server that cannot reach the meta leader or the stream's leader from one that
     * can.
     */
    private static String jetStreamSeenFrom(NatsServerProcess server) {
        io.nats.client.Options o = new io.nats.client.Options.Builder().server(server.url())
                .connectionTimeout(Duration.ofSeconds(2)).build();
        try (Connection c = Nats.connect(o)) {
            io.nats.client.JetStreamManagement jsm = c.jetStreamManagement(
                    io.nats.client.JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            String account;
            try {
                account = "account info: " + jsm.getAccountStatistics().getStreams() + " streams";
            } catch (Exception e) {
                account = "account info: " + e;
            }
            String stream;
            try {
                io.nats.client.api.StreamInfo info = jsm.getStreamInfo("CHANNELPUSH_B");
                stream = "CHANNELPUSH_B leader " + info.getClusterInfo().getLeader() + ", last sequence "
                        + info.getStreamState().getLastSequence();
            } catch (Exception e) {
                stream = "CHANNELPUSH_B: " + e;
            }
            return account + "; " + stream;
        } catch (Exception e) {
            return "no connection: " + e;
        }
    }

    /** Stops the servers started (SIGTERM; see {@link NatsServerProcess#close()}). */
    @Override
    public void close() throws InterruptedException {
        for (NatsServerProcess s : servers) {
            if (s != null) {
                s.close();
            }
        }
    }
}
