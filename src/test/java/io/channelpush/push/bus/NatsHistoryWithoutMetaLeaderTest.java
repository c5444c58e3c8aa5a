package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A history needs the stream's leader, not JetStream's meta leader: in a 3-server cluster with an R1 stream, the
 * two servers that do not hold it are stalled ({@code SIGSTOP}) until the third sees no meta leader (it answers an
 * ordinary consumer's creation with 10008, "JetStream system temporarily unavailable", as every server that sees
 * none does while an election lasts, e.g. after a stalled server resumes and deposes the meta leader); the history
 * of the stream is still read whole, through that server.
 */
@Timeout(120)
class NatsHistoryWithoutMetaLeaderTest {
    private static final int CLUSTER_NOT_AVAILABLE = 10008;

    @TempDir
    Path dir;

    @Test
    void historyIsReadFromTheStreamsLeaderWhileJetStreamHasNoMetaLeader() throws Exception {
        NatsStreamSettings r1 = NatsTestCluster.replicas(1);
        NatsTestCluster servers = NatsTestCluster.startAll(dir);
        try {
            List<StreamPosition> published = new ArrayList<>();
            String all = servers.urls(0);
            try (NatsBus first = NatsStreamTest.bus(all, r1)) {
                published.add(ack(first, "0"));
            }
            int holder;
            try (Connection c = Nats.connect(servers.get(0).url())) {
                String leader = c.jetStreamManagement().getStreamInfo("CHANNELPUSH_B").getClusterInfo().getLeader();
                holder = Integer.parseInt(leader.substring(1));
            }
            try (NatsBus bus = NatsStreamTest.bus(servers.get(holder).url(), r1);
                 Connection plain = Nats.connect(servers.get(holder).url())) {
                published.add(ack(bus, "1")); // the bus may still be connecting: refused until it is
                for (int i = 2; i <= 20; i++) {
                    published.add(bus.publishAcked(Channels.BROADCAST, NatsStreamTest.text(Integer.toString(i)),
                            NatsStreamTest.ACK).get(10, TimeUnit.SECONDS));
                }
                for (int i = 1; i <= 2; i++) {
                    servers.get((holder + i) % 3).pause(true);
                }
                JetStreamManagement jsm = plain.jetStreamManagement();
                // A meta leader without quorum steps down within 20 s (its lost-quorum check), a follower campaigns
                // within 9 s (its election timeout); neither can win.
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!ordinaryConsumerRefused(jsm)) {
                    assertTrue(System.nanoTime() < end, "s" + holder + " still sees a meta leader after 60 s");
                    Thread.sleep(200); // polling a condition
                }
                StreamHistory h = bus.history(Channels.BROADCAST, published.get(0), 100).get(30, TimeUnit.SECONDS);
                assertTrue(h.complete());
                assertEquals(published.subList(1, published.size()), h.events().stream().map(StreamEvent::position)
                        .toList(), "the messages after the first, from the stream's leader");
                assertTrue(ordinaryConsumerRefused(jsm), "still no meta leader after the history was read");
            }
        } finally {
            for (int i = 0; i < NatsTestCluster.SIZE; i++) {
                servers.get(i).pause(false);
            }
            servers.close();
        }
    }

    /** Whether the creation of an ordinary (meta-leader-made) consumer is answered 10008. */
    private static boolean ordinaryConsumerRefused(JetStreamManagement jsm) {
        try {
            String name = jsm.addOrUpdateConsumer("CHANNELPUSH_B", ConsumerConfiguration.builder()
                    .ackPolicy(AckPolicy.None).inactiveThreshold(Duration.ofSeconds(5)).build()).getName();
            jsm.deleteConsumer("CHANNELPUSH_B", name);
            return false;
        } catch (JetStreamApiException e) {
            return e.getApiErrorCode() == CLUSTER_NOT_AVAILABLE;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * An acknowledged publish of {@code text}, tried again while refused: a new cluster elects its leaders first,
     * and a new bus connects first.
     */
    private static StreamPosition ack(NatsBus bus, String text) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return bus.publishAcked(Channels.BROADCAST, NatsStreamTest.text(text), NatsStreamTest.ACK)
                        .get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                // only the first message may have been stored by an attempt of unknown fate: the history is read
                // after it; a later one must be certainly refused, or the history would hold it twice
                assertTrue(text.equals("0") || e.getCause() instanceof BusUnavailableException, e.toString());
                assertTrue(System.nanoTime() < end, "no acknowledged publish within 60 s: " + e.getCause());
                Thread.sleep(200); // retry pacing
            }
        }
    }
}
