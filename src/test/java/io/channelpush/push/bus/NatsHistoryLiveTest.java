package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's history of a stream ends where its own subscription of that stream is: when the subscription is behind
 * the stream (its consumer being recreated after a server's loss, or its handler slow), a recovery must not replay
 * messages that the subscription delivers afterwards, or the recovering client gets them twice.
 */
@Timeout(60)
class NatsHistoryLiveTest {
    @TempDir
    Path dir;

    @Test
    void historyEndsAtTheLastMessageTheNodesSubscriptionDelivered() throws Exception {
        NatsServerProcess server = NatsServerProcess.startJetStream(dir);
        try (NatsBus bus = NatsStreamTest.bus(server.url(), NatsStreamSettings.DEFAULTS)) {
            StreamPosition start = bus.publishAcked(Channels.BROADCAST, NatsStreamTest.text("0"),
                    NatsStreamTest.ACK).get(10, TimeUnit.SECONDS);
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Long> live = new CopyOnWriteArrayList<>();
            bus.subscribeStream(Channels.BROADCAST, (p, pos) -> {
                if (live.isEmpty()) {
                    blocked.countDown();
                    try {
                        assertTrue(release.await(30, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                live.add(pos.offset());
            });
            for (int i = 1; i <= 10; i++) {
                bus.publishAcked(Channels.BROADCAST, NatsStreamTest.text(Integer.toString(i)), NatsStreamTest.ACK)
                        .get(10, TimeUnit.SECONDS);
            }
            assertTrue(blocked.await(10, TimeUnit.SECONDS), "the subscription's first message");
            StreamHistory behind = bus.history(Channels.BROADCAST, start, 100).get(30, TimeUnit.SECONDS);
            assertTrue(behind.complete());
            assertEquals(List.of(), behind.events(), "history beyond what the subscription delivered");
            assertFalse(behind.more());
            release.countDown();
            try {
                NatsStreamTest.await(() -> live.size() >= 10, "the subscription delivers the 10 messages");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; it delivered offsets " + live + " after " + start, e);
            }
            List<Long> expected = java.util.stream.LongStream.rangeClosed(start.offset() + 1, start.offset() + 10)
                    .boxed().toList();
            assertEquals(expected, live, "the subscription's offsets, once each, in order");
            StreamHistory caughtUp = bus.history(Channels.BROADCAST, start, 100).get(30, TimeUnit.SECONDS);
            assertEquals(live, caughtUp.events().stream().map(e -> e.position().offset()).toList(),
                    "history once the subscription delivered them");
        } finally {
            server.close();
        }
    }
}
