package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * At the memory bound, subscribers that do not read are closed before a publisher is refused, the furthest behind
 * first: a reading subscriber a few events behind gets every event and the publisher no {@code over_capacity}. The bound is lowered to 32 MiB (the per-connection
 * limit stays at its default of 16 MiB, so three non-readers reach the bound before their own limit).
 */
class LaggardSheddingTest {

    @Test
    void subscribersThatDoNotReadAreShedAndTheReadingOneGetsEveryEvent() throws Exception {
        try (ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(0)
                .withWarmup(Duration.ZERO).withMemoryLimitBytes(32L << 20))) {
            List<RawClient> stalled = new ArrayList<>();
            Recorder honest = new Recorder();
            try (ChannelClient reader = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port())
                    .withClientName("reader"));
                 RawClient publisher = RawClient.hello(daemon.port())) {
                reader.on("c", honest);
                assertTrue(reader.awaitConnected(Duration.ofSeconds(5)));
                for (int i = 0; i < 3; i++) {
                    RawClient s = RawClient.hello(daemon.port(), 4096);
                    s.sendJson("{\"type\":\"subscribe\",\"channels\":[\"c\"]}");
                    stalled.add(s);
                }
                List<String> publisherErrors = new CopyOnWriteArrayList<>();
                Thread errors = new Thread(() -> {
                    try {
                        while (true) {
                            JsonObject m = publisher.read();
                            publisherErrors.add(m.toString());
                        }
                    } catch (IOException e) {
                        // closed at the end
                    }
                });
                publisher.socket.setSoTimeout(0);
                errors.start();
                // the reader's and the stalled subscriptions are in place (a subscribe made while the client connects
                // is sent right after its handshake, so being connected does not say the daemon has it yet)
                SlowConsumerTest.awaitSubscribers(daemon.port(), "c", 4);
                publisher.sendJson("{\"type\":\"publish\",\"channels\":[\"c\"],\"data\":-1}");
                assertEquals(-1, honest.next(5_000).getAsInt());
                String pad = "z".repeat(256 * 1024);
                int events = 200; // 50 MiB per subscriber: far past what three non-readers can hold in 32 MiB
                // The publisher stays at most WINDOW events (4 MiB) ahead of the reader: the daemon routes faster than
                // a client can parse 256 KiB events, and a reader more than 16 MiB behind is a slow consumer by its
                // own limit, whatever the bound. The non-readers fall further behind with every event.
                int window = 16;
                AtomicInteger next = new AtomicInteger();
                for (int i = 0; i < events + window; i++) {
                    if (i < events) {
                        publisher.sendJson("{\"type\":\"publish\",\"channels\":[\"c\"],\"data\":{\"n\":" + i
                                + ",\"pad\":\"" + pad + "\"}}");
                    }
                    if (i >= window) {
                        var e = honest.next(10_000);
                        assertTrue(e != null, "the reading subscriber stopped at " + next.get());
                        assertEquals(next.getAndIncrement(), e.getAsJsonObject().get("n").getAsInt());
                    }
                }
                assertEquals(events, next.get());
                for (RawClient s : stalled) {
                    s.socket.setSoTimeout(10_000);
                    assertTrue(s.closedByDaemon(), "a subscriber that never read is still open");
                }
                assertEquals(List.of(), publisherErrors, "the publisher was refused");
                publisher.socket.shutdownOutput();
                errors.join(TimeUnit.SECONDS.toMillis(5));
            } finally {
                for (RawClient s : stalled) {
                    s.close();
                }
            }
        }
    }
}
