package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that creates its R3 streams while the cluster has too few servers for them (JetStream answers "no
 * suitable peers for placement") asks again until it can, on the same connection: a cluster that is still forming,
 * or one server down, is not a stream this node must refuse until it reconnects.
 */
class NatsStreamPlacementTest {
    private static final Duration ACK = Duration.ofSeconds(2);

    private static final int NO_SUITABLE_PEERS = 10005;

    @TempDir
    Path dir;

    /** The API error code of creating a probe R3 stream (0 when it was created). */
    private static int placementError(JetStreamManagement jsm) throws Exception {
        try {
            jsm.addStream(StreamConfiguration.builder().name("PROBE").subjects("probe").replicas(3)
                    .storageType(StorageType.File).build());
            return 0;
        } catch (JetStreamApiException e) {
            return e.getApiErrorCode();
        } catch (java.io.IOException e) {
            return -1; // no meta leader yet
        }
    }

    @Test
    void streamsThatCannotBePlacedYetAreCreatedOnceTheThirdServerJoins() throws Exception {
        NatsTestCluster servers = NatsTestCluster.of(dir);
        try {
            servers.start(0);
            servers.start(1);
            NatsStreamSettings r3 = NatsTestCluster.R3;
            try (NatsBus bus = NatsStreamTest.bus(servers.get(0).url(), r3)) {
                // two servers elect a meta leader but cannot place three replicas: wait until JetStream says so
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                try (Connection c = Nats.connect(servers.get(1).url())) {
                    while (placementError(c.jetStreamManagement()) != NO_SUITABLE_PEERS) {
                        assertTrue(System.nanoTime() < end, "the two servers never answered \"no suitable peers\"");
                        Thread.sleep(200); // retry pacing
                    }
                }
                ExecutionException early = assertThrows(ExecutionException.class,
                        () -> bus.publishAcked(Channels.BROADCAST, NatsStreamTest.text("early"), ACK)
                                .get(10, TimeUnit.SECONDS));
                assertInstanceOf(BusUnavailableException.class, early.getCause());
                String refusal = early.getCause().getMessage();
                servers.start(2);
                StreamPosition p = null;
                int unknown = 0;
                end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (p == null) {
                    try {
                        p = bus.publishAcked(Channels.BROADCAST, NatsStreamTest.text("placed"), ACK)
                                .get(10, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof PublishOutcomeUnknownException) {
                            unknown++; // its fate is unknown (the 504 case): it may have been stored
                        }
                        assertTrue(System.nanoTime() < end, "the stream was never created on the same connection: "
                                + e.getCause() + " (before the third server: " + refusal + ")");
                        Thread.sleep(200); // retry pacing
                    }
                }
                // the first message of the new stream, unless an attempt before it ended unknown and was stored
                assertTrue(p.offset() >= 1 && p.offset() <= 1 + unknown, "offset " + p.offset() + " after "
                        + unknown + " attempts of unknown fate");
            }
        } finally {
            servers.close();
        }
    }
}
