package io.channelpush.push.bus;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import java.util.function.Consumer;
import java.util.logging.Logger;

/** {@link MessageBus} over the channel daemon, through one {@link ChannelClient}. Thread-safe. */
public final class ChannelDaemonBus implements MessageBus {
    private static final Logger LOG = Logger.getLogger(ChannelDaemonBus.class.getName());

    private final ChannelClient client;
    private final String address;

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
        }, listener::threadDied);
    }

    @Override
    public void publish(String channel, JsonObject payload) {
        try {
            client.publish(channel, payload);
        } catch (ChannelUnavailableException e) {
            throw new BusUnavailableException(e.getMessage());
        }
    }

    /** The channel client's buffer refuses a publish when full; it never waits. */
    @Override
    public boolean publishNeverBlocks() {
        return true;
    }

    @Override
    public void subscribe(String channel, Consumer<JsonObject> handler) {
        client.on(channel, (JsonElement data) -> {
            if (data.isJsonObject()) {
                handler.accept(data.getAsJsonObject());
            } else {
                LOG.warning(() -> "ignored a non-object payload on channel " + channel + ": " + data);
            }
        });
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
