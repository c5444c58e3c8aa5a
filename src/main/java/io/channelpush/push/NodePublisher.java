package io.channelpush.push;

import io.channelpush.push.bus.BusCodec;
import io.channelpush.push.bus.BusMessage;
import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.bus.MessageBus;
import io.channelpush.push.bus.StreamPosition;
import io.channelpush.push.presence.Presence;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A node's publishes onto the bus, each encoded once: unacknowledged ({@link #publish}), acknowledged
 * ({@link #publishAcked}, bounded by {@link AckedPublisher}) and reported ({@link #publishReported}, with the
 * connection counts gathered through {@link Presence}); it counts what was published and what failed. The public
 * contracts are {@link PushNode}'s, which delegates here. Thread-safe.
 */
final class NodePublisher {
    private final MessageBus bus;
    private final AckedPublisher acked;
    private final PushMetrics metrics;

    NodePublisher(MessageBus bus, AckedPublisher acked, PushMetrics metrics) {
        this.bus = bus;
        this.acked = acked;
        this.metrics = metrics;
    }

    /** See {@link PushNode#publishAcked}. */
    CompletableFuture<StreamPosition> publishAcked(BusMessage m) {
        return acked.publish(m).thenApply(position -> {
            count(m);
            return position;
        });
    }

    /** See {@link PushNode#publishReported}; {@code presence} gathers the reports. */
    String publishReported(BusMessage delivery, Presence presence) throws InterruptedException {
        List<String> expected = delivery instanceof BusMessage.Targeted t ? List.of(t.workerId()) : presence.members();
        String answer;
        try {
            answer = presence.publishReported(delivery, expected, m -> {
                try {
                    acked.publishAndWait(m);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BusUnavailableException("the node is stopping");
                }
            });
        } catch (BusUnavailableException e) {
            metrics.publishFailures.increment();
            throw e;
        }
        count(delivery);
        return answer;
    }

    /**
     * Publishes without acknowledgement and counts it as published; on a bus that may wait, only from a thread
     * that may block (see {@link PublishDispatch}).
     *
     * @throws BusUnavailableException when the bus refuses it
     */
    void publishCounted(BusMessage m) {
        publish(m);
        count(m);
    }

    /**
     * Encodes the message once; the bus carries those bytes to every node as they are. Counts failures only.
     *
     * @throws BusUnavailableException when the bus refuses it
     */
    void publish(BusMessage m) {
        try {
            bus.publish(BusCodec.channel(m), BusCodec.encode(m));
        } catch (BusUnavailableException e) {
            metrics.publishFailures.increment();
            throw e;
        }
    }

    /** Counts a delivery (broadcast, targeted, group or user push) as published; other messages are not counted. */
    private void count(BusMessage m) {
        if (m instanceof BusMessage.Broadcast) {
            metrics.publishedBroadcast.increment();
        } else if (m instanceof BusMessage.Targeted) {
            metrics.publishedTargeted.increment();
        } else if (m instanceof BusMessage.Group) {
            metrics.publishedGroup.increment();
        } else if (m instanceof BusMessage.ToUser) {
            metrics.publishedToUser.increment();
        }
    }
}
