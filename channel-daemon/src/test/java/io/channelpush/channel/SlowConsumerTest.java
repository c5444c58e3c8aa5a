package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SlowConsumerTest {
    @Test
    void subscriberThatNeverReadsIsClosedWhileOthersKeepReceiving() throws Exception {
        int total = 8_000;
        try (ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(0)
                     .withMaxFrameBytes(64 * 1024).withOutboundLimitBytes(256 * 1024).withWarmup(Duration.ZERO));
             ChannelClient good = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withClientName("good"));
             ChannelClient pub = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withClientName("pub"));
             RawClient stuck = RawClient.hello(daemon.port(), 64 * 1024)) {
            stuck.sendJson("{\"type\":\"subscribe\",\"channels\":[\"firehose\"]}");
            AtomicInteger received = new AtomicInteger();
            CountDownLatch all = new CountDownLatch(total);
            good.on("firehose", d -> {
                received.incrementAndGet();
                all.countDown();
            });
            assertTrue(good.awaitConnected(Duration.ofSeconds(5)));
            assertTrue(pub.awaitConnected(Duration.ofSeconds(5)));
            awaitSubscribers(daemon.port(), 2);
            String payload = "p".repeat(1_000);
            for (int i = 0; i < total; i++) {
                // at most 100 events (about 100 KB) ahead of the good subscriber, well under the 256 KB limit: a
                // good reader that a loaded machine delays for a moment must not be cut off as well (it was, once
                // in ten full runs, when the publisher ran 256 KB ahead of it); the stuck one still gets all 8 MB
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (i - received.get() >= 100) {
                    assertTrue(System.nanoTime() < end, "good subscriber stalled at " + received.get() + " of " + i);
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000); // polling a condition
                }
                publishWithRetry(pub, new JsonPrimitive(payload + i));
            }
            assertTrue(all.await(20, TimeUnit.SECONDS), "good subscriber got " + received.get() + " of " + total);
            // The stuck client never read: the daemon dropped it from the channel and closed it. The error frame
            // naming the reason is best effort (it goes out only if the client reads within a second).
            awaitSubscribers(daemon.port(), 1);
            int frames = 0;
            JsonObject last = null;
            try {
                while (true) {
                    last = stuck.read();
                    frames++;
                }
            } catch (java.io.IOException expectedEnd) {
                // connection closed by the daemon
            }
            assertTrue(frames < total, "the stuck client was not cut off: it got all " + frames + " frames");
            if (last != null && "error".equals(last.get("type").getAsString())) {
                assertEquals("slow_consumer", last.get("code").getAsString());
            }
        }
    }

    private static void publishWithRetry(ChannelClient pub, JsonPrimitive data) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                pub.publish("firehose", data);
                return;
            } catch (io.channelpush.channel.client.ChannelUnavailableException full) {
                if (System.nanoTime() > deadline) {
                    throw full;
                }
                Thread.onSpinWait();
            }
        }
    }

    static void awaitSubscribers(int port, int n) throws Exception {
        awaitSubscribers(port, "firehose", n);
    }

    /** Waits (at most 5 s) until the daemon's stats count {@code n} subscribers of {@code channel}. */
    static void awaitSubscribers(int port, String channel, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try (RawClient raw = RawClient.hello(port)) {
            while (System.nanoTime() < deadline) {
                raw.sendJson("{\"type\":\"stats\"}");
                var ch = raw.read().getAsJsonObject("channels").get(channel);
                if (ch != null && ch.getAsInt() == n) {
                    return;
                }
            }
        }
        throw new AssertionError("subscribers never reached " + n);
    }
}
