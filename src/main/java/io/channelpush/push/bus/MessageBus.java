package io.channelpush.push.bus;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Publish/subscribe of bytes between push nodes: a payload is what {@link BusCodec} encoded, carried as it is and
 * handed to the subscribers' handlers as it arrived (they decode it with {@link BusCodec}). Implementations are thread-safe; handlers run on the backend's own
 * thread, one at a time per bus, in publish order per publisher, and must not block.
 */
public interface MessageBus extends AutoCloseable {

    /** Connection state changes of the backend, for readiness and metrics. */
    interface Listener {
        void onConnected(boolean reconnect);

        void onDisconnected(String reason);

        /** A thread the bus depends on ended with an uncaught exception: the bus no longer works. */
        default void threadDied(Thread thread, Throwable error) {
        }

        /**
         * The bus stopped for good although the node did not close it (jnats closed the NATS connection on its own:
         * it does when a server refused the node's credentials twice in a row): it will not reconnect.
         *
         * @param why what happened and what the operator should do, for the node's fatal-error line
         */
        default void failed(BusUnavailableException why) {
        }

        /** This node holds its exclusive channel (see {@link MessageBus#subscribeExclusive}). */
        default void onExclusiveHeld(String channel) {
        }

        /**
         * Another node holds this node's exclusive channel: this node receives nothing on it until that changes.
         *
         * @param detail who holds it, as far as the backend knows
         */
        default void onExclusiveRefused(String channel, String detail) {
        }

        /**
         * A stream resumed after losing the bus with a gap ({@link #subscribeStream}): the bus no longer has every
         * message after the last one handed on; {@code epoch} is the stream's epoch now. For metrics.
         */
        default void onStreamGap(String channel, String epoch) {
        }
    }

    /**
     * Publishes a payload to a channel, to every node subscribed to it (this one included).
     *
     * @param payload one UTF-8 JSON object (from {@link BusCodec#encode}); the bus keeps the array, so the caller
     *     must not change it afterwards
     * @throws BusUnavailableException when the publish cannot be taken (buffer full, closed)
     */
    void publish(String channel, byte[] payload);

    /**
     * Publishes a payload and tells when the bus has it: the future completes with the message's stream position
     * once the bus has sequenced and kept it ({@link Channels#isStream} channels; on the daemon: appended to the
     * stream's log; on NATS: stored by JetStream), or with null for other channels once the bus has routed it. It
     * completes exceptionally, at the latest after {@code timeout}, with {@link BusUnavailableException} when the
     * message was certainly not taken (it will never be delivered), or {@link PublishOutcomeUnknownException} when
     * its fate is unknown (it may still be delivered, at most once). Never blocks the caller; acknowledgements are
     * pipelined. The future completes on a bus thread: a caller must not block in its callbacks.
     *
     * @param payload as for {@link #publish}
     */
    CompletableFuture<StreamPosition> publishAcked(String channel, byte[] payload, Duration timeout);

    /**
     * Whether {@link #publish} always returns at once (refusing what it cannot take), so that it may be called on
     * an I/O thread; false for a backend whose client can wait for room in its queue.
     */
    boolean publishNeverBlocks();

    /** Subscribes this node to a channel; one handler per channel. */
    void subscribe(String channel, Consumer<byte[]> handler);

    /** Receives a stream's messages with their positions. Called as {@link #subscribe}'s handlers are. */
    @FunctionalInterface
    interface StreamHandler {
        void onMessage(byte[] payload, StreamPosition position);
    }

    /**
     * Subscribes this node to a stream channel ({@link Channels#isStream}). After the bus was lost (stall, crash,
     * restart, network), the implementation resumes from the last position it handed to {@code handler}: the
     * handler gets what it missed, in order, without duplicates, before new messages; when the bus no longer has
     * all of it (epoch changed, beyond retention) it gets what is left and the gap is logged.
     */
    void subscribeStream(String channel, StreamHandler handler);

    /**
     * Where this node's {@link #subscribeStream} of {@code channel} is: the position of the last message handed to
     * its handler or, before the first, the stream's head when the subscription started (the daemon's answer to
     * the subscribe; on NATS the stream's last sequence when the consumer was made). Every message after it reaches
     * the handler (or, after a loss of the bus, its resumption). Null when unknown: not subscribed, or the bus has
     * not answered yet. Never blocks (a cached value); any thread.
     */
    default StreamPosition streamPosition(String channel) {
        return null;
    }

    /**
     * The messages of a stream channel after {@code after} (exclusive), oldest first, at most {@code limit}; when
     * {@code after} is null, from the oldest retained. Completes exceptionally with {@link BusUnavailableException}
     * when the bus cannot answer in its bounded time. Never blocks the caller.
     */
    CompletableFuture<StreamHistory> history(String channel, StreamPosition after, int limit);

    /**
     * Subscribes this node to a channel that only one node may hold, such as its own worker channel. While another
     * node holds it, this node receives nothing on it, {@link #exclusiveHeld()} is false and the listener hears
     * {@link Listener#onExclusiveRefused}. At most one exclusive channel per bus.
     */
    void subscribeExclusive(String channel, Consumer<byte[]> handler);

    /** False while this node's exclusive channel is not (yet) granted to it; true when it has none. */
    boolean exclusiveHeld();

    /** True while connected to the backend. */
    boolean isConnected();

    /** A short description for logs and health output, e.g. {@code channel-daemon 127.0.0.1:2206}. */
    String describe();

    @Override
    void close();
}
