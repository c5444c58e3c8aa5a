package io.channelpush.push.bus;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.api.ClusterInfo;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamInfo;
import java.io.IOException;

/**
 * Where a consumer reads: only the stream's leader holds exactly what the stream acknowledged. A follower can hold
 * other messages at the same sequences (nats-server 2.9.10: after a stall and a crash of another server, one
 * replica kept, for good, three unacknowledged messages at sequences where the other two hold the acknowledged ones
 * that replaced them; see README, "Chaos tests in mvn verify"), and JetStream places an R1 consumer on any replica.
 * So the readers create a consumer again, at most {@link #TRIES} times, until it is on the leader. Stateless;
 * thread-safe.
 */
final class NatsPlacement {
    /** Consumers created per read at most to land one on the leader of an R3 stream: all miss (2/3)^8, 4 %. */
    static final int TRIES = 8;

    private NatsPlacement() {
    }

    /** The server that leads the stream according to {@code info}, or null when it is not clustered. */
    static String leader(StreamInfo info) {
        ClusterInfo c = info.getClusterInfo();
        return c == null ? null : c.getLeader();
    }

    /**
     * Whether {@code sub}'s consumer is on {@code leader} (any server when {@code leader} is null); false when its
     * info cannot be read.
     */
    static boolean onLeader(JetStreamSubscription sub, String leader) {
        if (leader == null) {
            return true;
        }
        try {
            return onLeader(sub.getConsumerInfo(), leader);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the consumer of {@code info} is on {@code leader} (any server when {@code leader} is null). */
    static boolean onLeader(ConsumerInfo info, String leader) {
        if (leader == null) {
            return true;
        }
        ClusterInfo c = info.getClusterInfo();
        return c != null && leader.equals(c.getLeader());
    }
}
