package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.channelpush.channel.FakeDaemon;
import io.channelpush.channel.TestData;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link ChannelDaemonBus}'s streams, acknowledged publishes and history, on the real daemon and a scripted one. */
class ChannelDaemonBusStreamTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    static final class Connected implements MessageBus.Listener {
        final CountDownLatch up = new CountDownLatch(1);

        @Override
        public void onConnected(boolean reconnect) {
            up.countDown();
        }

        @Override
        public void onDisconnected(String reason) {
        }
    }

    static byte[] payload(int i) {
        return ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        return fail("completed normally");
    }

    record Got(String payload, StreamPosition position) {
    }

    @Test
    void acknowledgedPublishesStreamPositionsAndHistoryAgree() throws Exception {
        Connected connected = new Connected();
        try (ChannelDaemon d = ChannelDaemon.start(DaemonConfig.defaults().withPort(0)
                .withDataDir(TestData.freshDir()));
             ChannelDaemonBus bus = new ChannelDaemonBus(ClientOptions.of("127.0.0.1", d.port()), connected)) {
            LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();
            bus.subscribeStream(Channels.BROADCAST, (p, pos) -> got.add(new Got(new String(p, StandardCharsets.UTF_8),
                    pos)));
            assertTrue(connected.up.await(5, TimeUnit.SECONDS));
            List<CompletableFuture<StreamPosition>> acks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                acks.add(bus.publishAcked(Channels.BROADCAST, payload(i), TIMEOUT));
            }
            for (int i = 0; i < 50; i++) {
                StreamPosition p = acks.get(i).get(5, TimeUnit.SECONDS);
                assertEquals(i + 1, p.offset());
                assertEquals(new Got("{\"n\":" + i + "}", p), got.poll(5, TimeUnit.SECONDS));
            }
            String epoch = acks.get(0).get().epoch();
            assertNull(bus.publishAcked(Channels.NODES, payload(0), TIMEOUT).get(5, TimeUnit.SECONDS));

            StreamHistory h = bus.history(Channels.BROADCAST, new StreamPosition(epoch, 48), 10)
                    .get(5, TimeUnit.SECONDS);
            assertEquals(epoch, h.epoch());
            assertTrue(h.complete());
            assertEquals(List.of(49L, 50L), h.events().stream().map(e -> e.position().offset()).toList());
            assertEquals("{\"n\":49}", new String(h.events().get(1).payload(), StandardCharsets.UTF_8));

            Throwable notStream = failure(bus.history(Channels.NODES, null, 10));
            assertInstanceOf(BusUnavailableException.class, notStream);
            assertTrue(notStream.getMessage().contains("not_a_stream"), notStream.getMessage());
        }
    }

    @Test
    void aPublishTheDaemonCannotBeReachedForIsUnavailableAndOneLostAfterWritingIsOfUnknownOutcome()
            throws Exception {
        int deadPort = io.channelpush.channel.TestPorts.freePort(); // nothing listens; outside the ephemeral range
        try (ChannelDaemonBus bus = new ChannelDaemonBus(ClientOptions.of("127.0.0.1", deadPort),
                QuietListener.QUIET)) {
            Throwable t = failure(bus.publishAcked(Channels.BROADCAST, payload(1), Duration.ofMillis(200)));
            assertInstanceOf(BusUnavailableException.class, t);
        }
        try (FakeDaemon fake = new FakeDaemon();
             ChannelDaemonBus bus = new ChannelDaemonBus(ClientOptions.of("127.0.0.1", fake.port()),
                     QuietListener.QUIET)) {
            FakeDaemon.Conn conn = fake.acceptV2("e1");
            CompletableFuture<StreamPosition> f = bus.publishAcked(Channels.BROADCAST, payload(1), TIMEOUT);
            conn.read("publish");
            conn.close();
            assertInstanceOf(PublishOutcomeUnknownException.class, failure(f));
        }
    }
}
