package io.channelpush.push.bus;

import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.client.History;
import io.channelpush.channel.client.OutcomeUnknownException;
import io.channelpush.channel.client.StreamOffset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * {@link MessageBus} over the channel daemon, through one {@link ChannelClient}. The exclusive channel is a daemon
 * {@code claim}: the daemon refuses a second live claimant, and the client claims again while refused (so a node
 * takes its channel over once the other holder's connection is gone). Streams, acknowledged publishes and history need
 * a daemon of protocol 2; against an older one they fail as {@link BusUnavailableException} telling the operator to
 * upgrade it. Thread-safe; futures complete on the channel client's reader (or timer) thread.
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
            public void onGap(String channel, String epoch) {
                listener.onStreamGap(channel, epoch);
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

    /**
     * The channel client's acknowledged publish (protocol 2): {@link ChannelUnavailableException} (certainly not
     * taken) becomes {@link BusUnavailableException}, {@link OutcomeUnknownException} becomes
     * {@link PublishOutcomeUnknownException}.
     */
    @Override
    public CompletableFuture<StreamPosition> publishAcked(String channel, byte[] payload, Duration timeout) {
        CompletableFuture<StreamPosition> out = new CompletableFuture<>();
        client.publishAcked(channel, payload, timeout).whenComplete((offset, error) -> {
            if (error == null) {
                out.complete(offset == null ? null : new StreamPosition(offset.epoch(), offset.offset()));
            } else {
                out.completeExceptionally(busException(error));
            }
        });
        return out;
    }

    private static RuntimeException busException(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof OutcomeUnknownException) {
            return new PublishOutcomeUnknownException(e.getMessage());
        }
        return new BusUnavailableException(e.getMessage());
    }

    /**
     * The channel client's stream subscription: it resumes from the last position handed to {@code handler} after
     * every reconnect (before the first event, from the stream's head when the daemon took the subscribe, so a
     * reconnect then still misses nothing). Against a daemon of protocol 1 (no streams) the handler gets a null
     * position.
     */
    /** The channel client's cursor: the daemon's {@code resumed} head before the first event (protocol 2). */
    @Override
    public StreamPosition streamPosition(String channel) {
        StreamOffset o = client.streamPosition(channel);
        return o == null ? null : new StreamPosition(o.epoch(), o.offset());
    }

    @Override
    public void subscribeStream(String channel, StreamHandler handler) {
        client.onStream(channel, (data, epoch, offset) ->
                handler.onMessage(data, epoch == null ? null : new StreamPosition(epoch, offset)));
    }

    @Override
    public CompletableFuture<StreamHistory> history(String channel, StreamPosition after, int limit) {
        CompletableFuture<StreamHistory> out = new CompletableFuture<>();
        client.history(channel, after == null ? null : after.epoch(), after == null ? 0 : after.offset(), limit)
                .whenComplete((h, error) -> {
                    if (error != null) {
                        out.completeExceptionally(new BusUnavailableException(busException(error).getMessage()));
                        return;
                    }
                    List<StreamEvent> events = new ArrayList<>(h.events().size());
                    for (History.Event e : h.events()) {
                        events.add(new StreamEvent(new StreamPosition(h.epoch(), e.offset()), e.data()));
                    }
                    out.complete(new StreamHistory(h.epoch(), events, h.complete(), h.more()));
                });
        return out;
    }

    /** The channel client's buffer refuses a publish when full, and an acknowledged publish never waits either. */
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
