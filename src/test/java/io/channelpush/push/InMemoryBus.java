package io.channelpush.push;

import io.channelpush.push.bus.BusUnavailableException;
import io.channelpush.push.bus.MessageBus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A {@link MessageBus} inside the test's JVM: a publish runs the channel's handler on the publishing thread, one
 * publish at a time (the bus contract: one handler at a time, in publish order). Always connected; the exclusive
 * channel is always granted; {@link #available} false refuses publishes. Thread-safe.
 */
final class InMemoryBus implements MessageBus {
    private final Map<String, Consumer<byte[]>> handlers = new ConcurrentHashMap<>();
    /** While false, publishes are refused as a full buffer would refuse them. */
    volatile boolean available = true;

    @Override
    public synchronized void publish(String channel, byte[] payload) {
        if (!available) {
            throw new BusUnavailableException("in-memory bus set unavailable by the test");
        }
        Consumer<byte[]> h = handlers.get(channel);
        if (h != null) {
            h.accept(payload);
        }
    }

    // #13 in progress: replaced by the stream implementation before the issue is closed
    @Override
    public java.util.concurrent.CompletableFuture<io.channelpush.push.bus.StreamPosition> publishAcked(String channel, byte[] payload,
            java.time.Duration timeout) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("#13"));
    }

    @Override
    public void subscribeStream(String channel, StreamHandler handler) {
        throw new UnsupportedOperationException("#13");
    }

    @Override
    public java.util.concurrent.CompletableFuture<io.channelpush.push.bus.StreamHistory> history(String channel, io.channelpush.push.bus.StreamPosition after,
            int limit) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("#13"));
    }

    @Override
    public boolean publishNeverBlocks() {
        return true;
    }

    @Override
    public void subscribe(String channel, Consumer<byte[]> handler) {
        handlers.put(channel, handler);
    }

    @Override
    public void subscribeExclusive(String channel, Consumer<byte[]> handler) {
        handlers.put(channel, handler);
    }

    @Override
    public boolean exclusiveHeld() {
        return true;
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public String describe() {
        return "in-memory bus";
    }

    @Override
    public void close() {
        handlers.clear();
    }
}
