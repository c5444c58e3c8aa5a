package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link NatsBus} stream subscriber keeps receiving every acknowledged message exactly once, in order, while the
 * NATS server it uses is killed: restarted on the same store, or replaced by another server of a JetStream cluster.
 */
@Timeout(180)
class NatsStreamResumeTest {
    /** Publishes before the kill, and after the first publish acknowledged after it. */
    private static final int COUNT = 1_000;
    private static final Duration ACK = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    /** Numbered publishes, one a millisecond, pipelined; what each publish was answered. */
    private static final class Publisher extends Thread {
        final NatsBus bus;
        final Set<Integer> acked = ConcurrentHashMap.newKeySet();
        final Set<Integer> unavailable = ConcurrentHashMap.newKeySet();
        final Set<Integer> unknown = ConcurrentHashMap.newKeySet();
        final AtomicInteger sent = new AtomicInteger();
        volatile boolean stop;
        final List<CompletableFuture<StreamPosition>> futures = new CopyOnWriteArrayList<>();

        Publisher(NatsBus bus) {
            super("test-publisher");
            this.bus = bus;
        }

        @Override
        public void run() {
            for (int i = 0; !stop && i < 1_000_000; i++) {
                int n = i;
                CompletableFuture<StreamPosition> f = bus.publishAcked(Channels.BROADCAST,
                        NatsStreamTest.text(Integer.toString(n)), ACK);
                futures.add(f.whenComplete((p, e) -> {
                    if (e == null) {
                        acked.add(n);
                    } else if (e instanceof BusUnavailableException) {
                        unavailable.add(n);
                    } else {
                        unknown.add(n);
                    }
                }));
                sent.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // pacing, not synchronization
            }
        }

        /** After the kill: waits for an acknowledged publish, then for COUNT more publishes, then stops. */
        void finishAfterKill() throws Exception {
            int killedAt = sent.get();
            long killed = System.nanoTime();
            NatsStreamTest.await(() -> acked.stream().anyMatch(n -> n > killedAt), "a publish acknowledged after the kill");
            System.out.println("first publish acknowledged " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed)
                    + " ms after the kill");
            int resumedAt = sent.get();
            NatsStreamTest.await(() -> sent.get() >= resumedAt + COUNT, "publishes after the failover");
            stop = true;
            join(30_000);
            for (CompletableFuture<StreamPosition> f : futures) {
                f.handle((p, e) -> null).get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** What a subscriber received: payload numbers and positions, in order. */
    private static final class Received {
        final List<Integer> numbers = new CopyOnWriteArrayList<>();
        final List<StreamPosition> positions = new CopyOnWriteArrayList<>();
        /** A warm-up message (negative number, not counted) arrived. */
        volatile boolean warm;

        void subscribe(NatsBus bus) {
            bus.subscribeStream(Channels.BROADCAST, (p, pos) -> {
                int n = Integer.parseInt(NatsStreamTest.text(p));
                if (n < 0) {
                    warm = true;
                    return;
                }
                numbers.add(n);
                positions.add(pos);
            });
        }

        /** Waits for every acknowledged message, then checks exactly-once and order, and prints the counts. */
        void check(Publisher pub, String what) throws Exception {
            NatsStreamTest.await(() -> numbers.containsAll(pub.acked), "every acknowledged message received");
            Set<Integer> distinct = new TreeSet<>(numbers);
            assertEquals(numbers.size(), distinct.size(), "duplicates received");
            for (int i = 1; i < numbers.size(); i++) {
                assertTrue(numbers.get(i) > numbers.get(i - 1), "out of order at " + i + ": " + numbers.get(i - 1)
                        + " then " + numbers.get(i));
                assertTrue(positions.get(i).offset() > positions.get(i - 1).offset(), "offsets decrease at " + i);
            }
            assertEquals(1, positions.stream().map(StreamPosition::epoch).distinct().count(), "one epoch");
            for (int n : pub.unavailable) {
                assertTrue(!distinct.contains(n), "publish " + n + " answered unavailable was delivered");
            }
            long unknownDelivered = pub.unknown.stream().filter(distinct::contains).count();
            System.out.println(what + ": " + pub.acked.size() + " acknowledged (all received once), "
                    + pub.unavailable.size() + " unavailable (none received), " + pub.unknown.size()
                    + " unknown (" + unknownDelivered + " received once), " + numbers.size() + " received in all");
            assertEquals(pub.sent.get(), pub.acked.size() + pub.unavailable.size() + pub.unknown.size());
            assertTrue(pub.acked.size() > COUNT, "acknowledged before and after the kill: " + pub.acked.size());
        }
    }

    @Test
    void aSubscriberResumesWithoutGapOrDuplicateAfterItsServerIsKilledAndRestartedOnItsStore() throws Exception {
        NatsServerProcess server = NatsServerProcess.startJetStream(dir);
        try (NatsBus subscriber = NatsStreamTest.bus(server.url(), NatsStreamSettings.DEFAULTS);
             NatsBus publisher = NatsStreamTest.bus(server.url(), NatsStreamSettings.DEFAULTS)) {
            Received got = new Received();
            got.subscribe(subscriber);
            publisher.publishAcked(Channels.BROADCAST, NatsStreamTest.text("-1"), ACK).get(10, TimeUnit.SECONDS);
            NatsStreamTest.await(() -> got.warm, "subscribed");
            Publisher pub = new Publisher(publisher);
            pub.start();
            NatsStreamTest.await(() -> pub.sent.get() >= COUNT, "published before the kill");
            server.kill();
            server = server.startAgain();
            pub.finishAfterKill();
            got.check(pub, "kill -9 and restart of the only server");
        } finally {
            server.close();
        }
    }

    @Test
    void aSubscriberWhoseClusterServerIsKilledResumesFromAnotherWithEveryAcknowledgedMessageOnce() throws Exception {
        clusterRun(false);
    }

    @Test
    void aSubscriberWhoseServerSurvivesTheLossOfTheStreamLeaderGetsEveryAcknowledgedMessageOnce() throws Exception {
        clusterRun(true);
    }

    /** 3 servers, an R3 stream; kills the subscriber's server, or the stream's leader while it is another one. */
    private void clusterRun(boolean killLeader) throws Exception {
        NatsTestCluster servers = NatsTestCluster.startAll(dir);
        try {
            NatsStreamSettings r3 = NatsTestCluster.R3;
            int victim;
            int subscriberServer;
            try (NatsBus first = NatsStreamTest.bus(servers.get(0).url(), r3)) {
                servers.awaitFirstAck(first, ACK);
            }
            if (killLeader) {
                victim = NatsTestCluster.leader(servers.get(0));
                subscriberServer = (victim + 1) % 3;
            } else {
                victim = 0;
                subscriberServer = 0;
            }
            int publisherServer = 0;
            while (publisherServer == victim || publisherServer == subscriberServer) {
                publisherServer++;
            }
            String subscriberUrls = servers.urls(subscriberServer);
            try (NatsBus subscriber = NatsStreamTest.bus(subscriberUrls, r3);
                 NatsBus publisher = NatsStreamTest.bus(servers.get(publisherServer).url() + ","
                         + servers.get(subscriberServer).url(), r3)) {
                Received got = new Received();
                got.subscribe(subscriber);
                NatsStreamTest.await(() -> {
                    publisher.publishAcked(Channels.BROADCAST, NatsStreamTest.text("-1"), ACK);
                    return got.warm;
                }, "subscribed");
                Publisher pub = new Publisher(publisher);
                pub.start();
                NatsStreamTest.await(() -> pub.sent.get() >= COUNT, "published before the kill");
                servers.get(victim).kill();
                pub.finishAfterKill();
                got.check(pub, killLeader ? "kill -9 of the stream leader s" + victim + " (subscriber on s"
                        + subscriberServer + "), R3 stream" : "kill -9 of the subscriber's server in a 3-server "
                        + "cluster, R3 stream");
            }
        } finally {
            servers.close();
        }
    }


}
