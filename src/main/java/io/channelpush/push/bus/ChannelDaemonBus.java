package io.channelpush.push.bus;

import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import java.util.function.Consumer;

/**
 * {@link MessageBus} over the channel daemon, through one {@link ChannelClient}. The exclusive channel is a daemon
 * {@code claim}: the daemon refuses a second live claimant, and the client claims again while refused (so a node
 * takes its channel over once the other holder's connection is gone). Thread-safe.
 */
public final class ChannelDaemonBus implements MessageBus {
    private final ChannelClient client;
    private final String address;
    private volatile String exclusive;

    public ChannelDaemonBus(ClientOptions options, Listener listener) {
        this.address = options.address();
        this.client = ChannelClient.start(options, new ChannelClient.Listener() {
            @Override
            public void onConnected(boolean reconnect) {
                listener.onConnected(reconnect);
            }

            @Override
            public void onDisconnected(String reason) {
                listener.onDisconnected(reason);
            }

            @Override
            public void onClaim(String channel, boolean held, String message) {
                if (held) {
                    listener.onExclusiveHeld(channel);
                } else {
                    listener.onExclusiveRefused(channel, message);
                }
            }
        }, listener::threadDied);
    }

    @Override
    public void publish(String channel, byte[] payload) {
        try {
            client.publish(channel, payload);
        } catch (ChannelUnavailableException e) {
            throw new BusUnavailableException(e.getMessage());
        }
    }

    /** The channel client's buffer refuses a publish when full; it never waits. */
    // #13 in progress: replaced by the stream implementation before the issue is closed
    @Override
    public java.util.concurrent.CompletableFuture<StreamPosition> publishAcked(String channel, byte[] payload,
            java.time.Duration timeout) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("#13"));
    }

    @Override
    public void subscribeStream(String channel, StreamHandler handler) {
        throw new UnsupportedOperationException("#13");
    }

    @Override
    public java.util.concurrent.CompletableFuture<StreamHistory> history(String channel, StreamPosition after,
            int limit) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("#13"));
    }

    @Override
    public boolean publishNeverBlocks() {
        return true;
    }

    @Override
    public void subscribe(String channel, Consumer<byte[]> handler) {
        client.onBytes(channel, handler);
    }

    @Override
    public void subscribeExclusive(String channel, Consumer<byte[]> handler) {
        if (exclusive != null) {
            throw new IllegalStateException("already holds exclusive channel " + exclusive);
        }
        exclusive = channel;
        client.claimBytes(channel, handler);
    }

    @Override
    public boolean exclusiveHeld() {
        String e = exclusive;
        return e == null || client.holdsClaim(e);
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public String describe() {
        return "channel-daemon " + address;
    }

    @Override
    public void close() {
        client.close();
    }
}
