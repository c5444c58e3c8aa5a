package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReconnectTest {
    /** Counts connection events so the test waits on them instead of sleeping. */
    static final class Events implements ChannelClient.Listener {
        volatile CountDownLatch lost = new CountDownLatch(1);
        volatile CountDownLatch reconnected = new CountDownLatch(1);

        @Override
        public void onDisconnected(String reason) {
            lost.countDown();
        }

        @Override
        public void onConnected(boolean reconnect) {
            if (reconnect) {
                reconnected.countDown();
            }
        }
    }

    @Test
    void clientsRecoverSubscriptionsWatchesAndBufferedPublishesAfterADaemonRestart() throws Exception {
        ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(TestPorts.freePort()));
        int port = daemon.port();
        Events subEvents = new Events();
        Events pubEvents = new Events();
        Recorder events = new Recorder();
        Recorder jobs = new Recorder();
        try (ChannelClient sub = ChannelClient.start(ClientOptions.of("127.0.0.1", port).withClientName("sub"), subEvents);
             ChannelClient pub = ChannelClient.start(ClientOptions.of("127.0.0.1", port).withClientName("pub")
                     .withBufferLimitBytes(64 * 1024), pubEvents)) {
            sub.on("news", events);
            sub.watch("work", jobs);
            assertTrue(sub.awaitConnected(Duration.ofSeconds(5)));
            assertTrue(pub.awaitConnected(Duration.ofSeconds(5)));
            pub.publish("news", new JsonPrimitive("before"));
            pub.enqueue("work", new JsonPrimitive("job-before"));
            assertEquals(new JsonPrimitive("before"), events.next(5_000));
            assertEquals(new JsonPrimitive("job-before"), jobs.next(5_000));

            daemon.close();
            assertTrue(subEvents.lost.await(5, TimeUnit.SECONDS));
            assertTrue(pubEvents.lost.await(5, TimeUnit.SECONDS));
            assertTrue(!pub.isConnected());

            // During the outage: publishes are buffered, and one beyond the buffer fails visibly.
            for (int i = 0; i < 10; i++) {
                pub.publish("news", new JsonPrimitive("during-" + i));
            }
            pub.enqueue("work", new JsonPrimitive("job-during"));
            JsonPrimitive big = new JsonPrimitive("x".repeat(70 * 1024));
            assertThrows(ChannelUnavailableException.class, () -> pub.publish("news", big));

            long restartedAt = System.nanoTime();
            daemon = ChannelDaemon.start(TestData.config().withPort(port));
            assertTrue(subEvents.reconnected.await(2, TimeUnit.SECONDS), "subscriber did not reconnect within 2 s");
            assertTrue(pubEvents.reconnected.await(2, TimeUnit.SECONDS), "publisher did not reconnect within 2 s");
            long reconnectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
            assertTrue(reconnectMillis <= 2_000, "reconnect took " + reconnectMillis + " ms");

            // Whichever client is back first, the daemon's warm-up window hands the buffered publishes to the
            // subscriber, in order.
            for (int i = 0; i < 10; i++) {
                assertEquals(new JsonPrimitive("during-" + i), events.next(5_000));
            }
            assertEquals(new JsonPrimitive("job-during"), jobs.next(5_000));
            pub.publish("news", new JsonPrimitive("after"));
            assertEquals(new JsonPrimitive("after"), events.next(5_000));
            // the writer drops frames from the buffer just after the write returns, which can be after delivery
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pub.bufferedBytes() != 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(0, pub.bufferedBytes());
        } finally {
            daemon.close();
        }
    }
}
