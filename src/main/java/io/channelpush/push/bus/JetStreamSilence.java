package io.channelpush.push.bus;

import java.time.Duration;

/**
 * Tells when JetStream has served none of a node's requests for too long while the node's NATS connection is up, so
 * that the bus reconnects ({@link NatsStreams#served}). Not served: no answer within the request's timeout, "no
 * responders", or "JetStream system temporarily unavailable" (10008: the server sees no meta leader).
 *
 * <p>Seen with nats-server 2.10.27: a node that connected while a fresh 3-server cluster formed its routes had none
 * of its stream set-up requests answered for 60 s, while a client that connected later was answered at once, and
 * every server's JetStream worked. JetStream answers a node through one reply subscription of its connection (jnats'
 * request inbox); our reading, not proven, is that the cluster lost that subscription's interest on a route replaced
 * while it formed. Whatever lost the answers, a new connection subscribes again. The same move takes a node whose
 * server is cut off from JetStream's leaders (it answers 10008 to every stream request) to the next server.
 *
 * <p>The limit starts at the first one given and doubles after each reconnect that brought no answer, up to the
 * largest, so that an outage of JetStream as a whole costs one reconnect per largest limit, not a storm. An answer
 * (a stored publish, a stream's info, an API error other than 10008) starts it again at the first.
 *
 * <p>Thread-safe; times are {@link System#nanoTime} values passed in.
 */
final class JetStreamSilence {
    /** The first limit: above JetStream's elections (a stream leader's, 5 to 9 s in our stall tests). */
    static final Duration LIMIT = Duration.ofSeconds(15);
    /** The largest limit, reached after three reconnects without an answer. */
    static final Duration MAX_LIMIT = Duration.ofMinutes(2);

    private final long firstNanos;
    private final long maxNanos;
    private long sinceNanos; // the latest (re)connection, answer or reconnect asked for
    private long limitNanos;

    JetStreamSilence(Duration first, Duration max, long nowNanos) {
        this.firstNanos = first.toNanos();
        this.maxNanos = max.toNanos();
        this.limitNanos = firstNanos;
        this.sinceNanos = nowNanos;
    }

    /** The connection is (again) up: silence is counted from now, with the limit reached so far. */
    synchronized void connected(long nowNanos) {
        sinceNanos = nowNanos;
    }

    /** JetStream served a request: silence is counted from now, with the first limit. */
    synchronized void served(long nowNanos) {
        sinceNanos = nowNanos;
        limitNanos = firstNanos;
    }

    /**
     * A request was not served while connected.
     *
     * @return how long JetStream has been silent when that reaches the limit (reconnect now; the limit doubles and
     *     silence is counted again from now), else -1
     */
    synchronized long notServed(long nowNanos) {
        long silent = nowNanos - sinceNanos;
        if (silent < limitNanos) {
            return -1;
        }
        sinceNanos = nowNanos;
        limitNanos = Math.min(maxNanos, limitNanos * 2);
        return silent;
    }

    /** The limit now. */
    synchronized Duration limit() {
        return Duration.ofNanos(limitNanos);
    }
}
