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
