package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import io.channelpush.channel.daemon.ChannelDaemon;
import org.junit.jupiter.api.Test;

/**
 * An event replayed from the warm-up window (published before anyone subscribed, in the daemon's first seconds) is
 * counted in {@code events_delivered} like a live one: {@code status} counts what clients got, however it reached
 * them.
 */
class WarmupReplayStatsTest {
    @Test
    void anEventReplayedToALateSubscriberCountsAsDelivered() throws Exception {
        try (ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(0));
             RawClient pub = RawClient.hello(daemon.port());
             RawClient sub = RawClient.hello(daemon.port())) {
            pub.sendJson("{\"type\":\"publish\",\"channels\":[\"news\"],\"data\":\"early\"}");
            pub.sendJson("{\"type\":\"stats\"}");
            assertEquals(0, pub.read().get("events_delivered").getAsLong(), "nobody subscribed yet");
            sub.sendJson("{\"type\":\"subscribe\",\"channels\":[\"news\"]}");
            JsonObject event = sub.read();
            assertEquals("event", event.get("type").getAsString(), event.toString());
            assertEquals("early", event.get("data").getAsString());
            sub.sendJson("{\"type\":\"stats\"}");
            assertEquals(1, sub.read().get("events_delivered").getAsLong());
        }
    }
}
