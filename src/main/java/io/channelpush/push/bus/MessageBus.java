package io.channelpush.push.bus;

import com.google.gson.JsonObject;
import java.util.function.Consumer;

/**
 * Publish/subscribe between push nodes. Implementations are thread-safe; handlers run on the backend's own
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
    }

    /**
     * Publishes a payload to a channel, to every node subscribed to it (this one included).
     *
     * @throws BusUnavailableException when the publish cannot be taken (buffer full, closed)
     */
    void publish(String channel, JsonObject payload);

    /**
     * Whether {@link #publish} always returns at once (refusing what it cannot take), so that it may be called on
     * an I/O thread; false for a backend whose client can wait for room in its queue.
     */
    boolean publishNeverBlocks();

    /** Subscribes this node to a channel; one handler per channel. */
    void subscribe(String channel, Consumer<JsonObject> handler);

    /** True while connected to the backend. */
    boolean isConnected();

    /** A short description for logs and health output, e.g. {@code channel-daemon 127.0.0.1:2206}. */
    String describe();

    @Override
    void close();
}
