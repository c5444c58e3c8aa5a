package io.channelpush.push;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one node, read by health and metrics endpoints. Thread-safe. */
public final class PushMetrics {
    final LongAdder connectionsOpened = new LongAdder();
    final LongAdder clientMessages = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder publishedBroadcast = new LongAdder();
    final LongAdder publishedTargeted = new LongAdder();
    final LongAdder publishedGroup = new LongAdder();
    final LongAdder publishedToUser = new LongAdder();
    final LongAdder publishFailures = new LongAdder();
    final LongAdder channelReconnects = new LongAdder();
    final LongAdder slowClientDisconnects = new LongAdder();
    final LongAdder publishRequestsOnIoThread = new LongAdder();
    final LongAdder publishRequestsThroughServlet = new LongAdder();
    final LongAdder acksPending = new LongAdder();
    private final LongAdder acks = new LongAdder();
    private final LongAdder ackNanos = new LongAdder();
    final LongAdder messagesRecovered = new LongAdder();
    final LongAdder recoveriesUnrecoverable = new LongAdder();
    final LongAdder recoveriesUnavailable = new LongAdder();
    final LongAdder recoveries = new LongAdder();
    final LongAdder streamGaps = new LongAdder();

    /** Times a stream subscription of this node resumed after losing the bus with a gap it could not fill. */
    public long streamGaps() {
        return streamGaps.sum();
    }

    void ackLatency(long nanos) {
        acks.increment();
        ackNanos.add(nanos);
    }

    /** Publishes waiting for the bus's acknowledgement now. */
    public long publishAcksPending() {
        return acksPending.sum();
    }

    /** Publishes the bus acknowledged. */
    public long publishAcks() {
        return acks.sum();
    }

    /** Sum of the times from publish to acknowledgement, in microseconds (divide by {@link #publishAcks()}). */
    public long publishAckMicrosTotal() {
        return ackNanos.sum() / 1_000;
    }

    /** Messages replayed to clients by {@code recover}. */
    public long messagesRecovered() {
        return messagesRecovered.sum();
    }

    /** {@code recover} commands answered {@code unavailable}: the bus's history failed for too long. */
    public long recoveriesUnavailable() {
        return recoveriesUnavailable.sum();
    }

    /** Streams of {@code recover} commands answered {@code false} (the client must resync). */
    public long recoveriesUnrecoverable() {
        return recoveriesUnrecoverable.sum();
    }

    /** {@code recover} commands completed. */
    public long recoveries() {
        return recoveries.sum();
    }

    public long connectionsOpened() {
        return connectionsOpened.sum();
    }

    public long clientMessages() {
        return clientMessages.sum();
    }

    public long delivered() {
        return delivered.sum();
    }

    public long publishedBroadcast() {
        return publishedBroadcast.sum();
    }

    public long publishedTargeted() {
        return publishedTargeted.sum();
    }

    public long publishedGroup() {
        return publishedGroup.sum();
    }

    /** Pushes to a user ({@code to_uid}) this node published. */
    public long publishedToUser() {
        return publishedToUser.sum();
    }

    public long publishFailures() {
        return publishFailures.sum();
    }

    public long channelReconnects() {
        return channelReconnects.sum();
    }

    public long slowClientDisconnects() {
        return slowClientDisconnects.sum();
    }

    /** Counts one publisher request answered on Undertow's I/O thread. */
    public void publishRequestOnIoThread() {
        publishRequestsOnIoThread.increment();
    }

    /** Counts one publisher request answered by the publisher servlet. */
    public void publishRequestThroughServlet() {
        publishRequestsThroughServlet.increment();
    }

    /** Publisher requests answered on Undertow's I/O thread ({@code io.channelpush.push.publish.PublishHandler}). */
    public long publishRequestsOnIoThread() {
        return publishRequestsOnIoThread.sum();
    }

    /** Publisher requests answered by {@code io.channelpush.push.publish.PublisherServlet}. */
    public long publishRequestsThroughServlet() {
        return publishRequestsThroughServlet.sum();
    }
}
