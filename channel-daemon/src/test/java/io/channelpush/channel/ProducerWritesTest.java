package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Producers write their frames to the daemon from their own threads when no one else is writing (the channel client's
 * inline write): such a producer never waits for the socket, and frames from many threads still go out one writer at
 * a time, each thread's in its order.
 */
class ProducerWritesTest {
    @Test
    void aProducerNeverWaitsForADaemonThatStopsReading() throws Exception {
        long limit = 8L << 20;
        try (FakeDaemon fake = new FakeDaemon();
             ChannelClient c = ChannelClient.start(ClientOptions.of("127.0.0.1", fake.port())
                     .withBufferLimitBytes(limit).withPing(Duration.ofSeconds(10), Duration.ofSeconds(30)))) {
            try (FakeDaemon.Conn conn = fake.acceptV2("e1")) {
                assertTrue(c.awaitConnected(Duration.ofSeconds(5)));
                // the daemon never reads again: the socket's buffers fill, then the client's buffer, then refusals
                byte[] data = ("\"" + "x".repeat(1024) + "\"").getBytes(StandardCharsets.UTF_8);
                long slowestNanos = 0;
                long accepted = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                boolean refused = false;
                while (!refused && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    try {
                        c.publish("w:x", data);
                        accepted += data.length;
                    } catch (ChannelUnavailableException e) {
                        refused = true;
                    }
                    slowestNanos = Math.max(slowestNanos, System.nanoTime() - t0);
                }
                assertTrue(refused, "the buffer never filled up: " + accepted + " bytes accepted");
                assertTrue(accepted >= limit, "refused after " + accepted + " bytes, below the socket's share and "
                        + "the buffer limit together");
                // one publish copies a frame and tries one non-blocking write; 1 s allows a machine at load 10
                assertTrue(slowestNanos < TimeUnit.SECONDS.toNanos(1),
                        "a publish waited " + TimeUnit.NANOSECONDS.toMillis(slowestNanos) + " ms");
            }
        }
    }

    @Test
    void acknowledgedPublishesFromManyThreadsArriveInEachThreadsOrder() throws Exception {
        int threads = 4;
        int each = 2_000;
        Map<Integer, List<Integer>> received = new ConcurrentHashMap<>();
        CompletableFuture<Void> all = new CompletableFuture<>();
        try (ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(0));
             ChannelClient sub = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()));
             ChannelClient pub = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()))) {
            int[] count = new int[1];
            sub.on("w:x", (JsonElement e) -> {
                String[] parts = e.getAsString().split(":");
                received.computeIfAbsent(Integer.parseInt(parts[0]), k -> new CopyOnWriteArrayList<>())
                        .add(Integer.parseInt(parts[1]));
                if (++count[0] == threads * each) {
                    all.complete(null);
                }
            });
            assertTrue(sub.awaitConnected(Duration.ofSeconds(5)));
            assertTrue(pub.awaitConnected(Duration.ofSeconds(5)));
            awaitSubscribed(pub, sub);
            List<Thread> producers = new ArrayList<>();
            List<CompletableFuture<?>> acks = new CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread p = new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        acks.add(pub.publishAcked("w:x", ("\"" + id + ":" + i + "\"").getBytes(StandardCharsets.UTF_8),
                                Duration.ofSeconds(30)));
                    }
                }, "producer-" + t);
                producers.add(p);
                p.start();
            }
            for (Thread p : producers) {
                p.join(30_000);
            }
            CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            all.get(30, TimeUnit.SECONDS);
            for (int t = 0; t < threads; t++) {
                List<Integer> got = received.get(t);
                assertEquals(each, got.size(), "thread " + t);
                for (int i = 0; i < each; i++) {
                    assertEquals(i, got.get(i), "thread " + t + " out of order");
                }
            }
        }
    }

    /** A probe published until it arrives: the subscription is in place at the daemon. */
    private static void awaitSubscribed(ChannelClient pub, ChannelClient sub) throws Exception {
        CompletableFuture<Void> seen = new CompletableFuture<>();
        sub.on("probe", e -> seen.complete(null));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!seen.isDone() && System.nanoTime() < deadline) {
            pub.publish("probe", "1".getBytes(StandardCharsets.UTF_8));
            try {
                seen.get(100, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // not yet
            }
        }
        assertTrue(seen.isDone(), "the subscriber's subscription did not reach the daemon within 10 s");
    }
}
