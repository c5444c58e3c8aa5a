package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link NatsBus}'s JetStream streams against real nats-server processes with JetStream on loopback. */
@Timeout(120)
class NatsStreamTest {
    static final long BUFFER = 8 << 20;
    static final Duration ACK = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    static NatsBus bus(String servers, NatsStreamSettings settings) {
        return bus(servers, settings, new LinkedBlockingQueue<>());
    }

    /**
     * A bus whose listener puts "connected", "reconnected" and "disconnected" into {@code events}, once connected
     * (it connects in the background: a publish before would be refused, "not connected to NATS").
     */
    static NatsBus bus(String servers, NatsStreamSettings settings, LinkedBlockingQueue<String> events) {
        NatsBus bus = connecting(servers, settings, events);
        try {
            await(bus::isConnected, "the bus never connected to " + servers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while connecting", e);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + NatsConnectProbe.report(bus, servers), e);
        }
        return bus;
    }

    private static NatsBus connecting(String servers, NatsStreamSettings settings, LinkedBlockingQueue<String> events) {
        return NatsBus.connect(NatsBus.parseServers(servers), "test", BUFFER, NatsSecurity.NONE, settings,
                new MessageBus.Listener() {
                    @Override
                    public void onConnected(boolean reconnect) {
                        events.add(reconnect ? "reconnected" : "connected");
                    }

                    @Override
                    public void onDisconnected(String reason) {
                        events.add("disconnected");
                    }
                });
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(30, TimeUnit.SECONDS);
            throw new AssertionError("succeeded: " + f.join());
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("not completed within 30 s");
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20); // polling a condition, not synchronizing on time
        }
    }

    @Test
    void acknowledgedPublishesGetIncreasingPositionsAndHistoryReturnsThem() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.startJetStream(dir);
             NatsBus bus = bus(server.url(), NatsStreamSettings.DEFAULTS)) {
            List<CompletableFuture<StreamPosition>> acks = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                acks.add(bus.publishAcked(Channels.BROADCAST, text("m" + i), ACK));
            }
            String epoch = acks.get(0).get(10, TimeUnit.SECONDS).epoch();
            for (int i = 0; i < 100; i++) {
                assertEquals(new StreamPosition(epoch, i + 1), acks.get(i).get(10, TimeUnit.SECONDS));
            }
            StreamPosition g = bus.publishAcked(Channels.GROUPS, text("g1"), ACK).get(10, TimeUnit.SECONDS);
            assertEquals(1, g.offset(), "each stream channel has its own offsets");

            LinkedBlockingQueue<String> nodes = new LinkedBlockingQueue<>();
            bus.subscribe(Channels.NODES, p -> nodes.add(text(p)));
            assertNull(bus.publishAcked(Channels.NODES, text("to-user"), ACK).get(10, TimeUnit.SECONDS),
                    "a channel outside JetStream has no position");
            assertEquals("to-user", nodes.poll(10, TimeUnit.SECONDS));

            StreamHistory h = bus.history(Channels.BROADCAST, new StreamPosition(epoch, 50), 10).get(10, TimeUnit.SECONDS);
            assertEquals(epoch, h.epoch());
            assertTrue(h.complete());
            assertTrue(h.more());
            assertEquals(List.of("m51", "m52", "m53", "m54", "m55", "m56", "m57", "m58", "m59", "m60"),
                    h.events().stream().map(e -> text(e.payload())).toList());
            assertEquals(51, h.events().get(0).position().offset());

            StreamHistory all = bus.history(Channels.BROADCAST, null, 1000).get(10, TimeUnit.SECONDS);
            assertEquals(100, all.events().size());
            assertTrue(all.complete());
            assertFalse(all.more());
            StreamHistory end = bus.history(Channels.BROADCAST, new StreamPosition(epoch, 100), 10).get(10, TimeUnit.SECONDS);
            assertEquals(List.of(), end.events());
            assertTrue(end.complete());

            StreamHistory other = bus.history(Channels.BROADCAST, new StreamPosition("another", 50), 10)
                    .get(10, TimeUnit.SECONDS);
            assertFalse(other.complete(), "another epoch cannot be continued");
            assertEquals(1, other.events().get(0).position().offset(), "from the oldest message of this epoch");
            try (io.nats.client.Connection c = io.nats.client.Nats.connect(server.url())) {
                io.nats.client.JetStreamManagement jsm = c.jetStreamManagement();
                await(() -> {
                    try {
                        return jsm.getConsumerNames("CHANNELPUSH_B").isEmpty();
                    } catch (java.io.IOException | io.nats.client.JetStreamApiException e) {
                        return false;
                    }
                }, "the history's consumers deleted by JetStream once their inboxes are gone");
            }
        }
    }

    @Test
    void historyBeyondRetentionIsIncomplete() throws Exception {
        NatsStreamSettings ten = new NatsStreamSettings(10, 1 << 20, Duration.ofMinutes(10), 1, Duration.ofMinutes(2));
        try (NatsServerProcess server = NatsServerProcess.startJetStream(dir);
             NatsBus bus = bus(server.url(), ten)) {
            StreamPosition last = null;
            for (int i = 1; i <= 30; i++) {
                last = bus.publishAcked(Channels.BROADCAST, text("m" + i), ACK).get(10, TimeUnit.SECONDS);
            }
            StreamHistory h = bus.history(Channels.BROADCAST, new StreamPosition(last.epoch(), 5), 100)
                    .get(10, TimeUnit.SECONDS);
            assertFalse(h.complete(), "messages 6 to 20 are gone");
            assertEquals(21, h.events().get(0).position().offset());
            assertEquals(10, h.events().size());
            assertTrue(bus.history(Channels.BROADCAST, new StreamPosition(last.epoch(), 20), 100)
                    .get(10, TimeUnit.SECONDS).complete(), "everything after 20 is kept");
        }
    }

    @Test
    void aStreamThatCannotKeepAcknowledgedMessagesIsRefusedWithTheFix() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.startJetStream(dir)) {
            try (Connection c = Nats.connect(server.url())) {
                c.jetStreamManagement().addStream(StreamConfiguration.builder().name("CHANNELPUSH_B")
                        .subjects("channelpush.b").storageType(StorageType.Memory).build());
            }
            try (NatsBus bus = bus(server.url(), NatsStreamSettings.DEFAULTS)) {
                Throwable e = failure(bus.publishAcked(Channels.BROADCAST, text("x"), ACK));
                assertInstanceOf(BusUnavailableException.class, e);
                assertTrue(e.getMessage().contains("memory") && e.getMessage().contains("nats stream rm CHANNELPUSH_B"),
                        e.getMessage());
                assertEquals(1, bus.publishAcked(Channels.GROUPS, text("y"), ACK).get(10, TimeUnit.SECONDS).offset(),
                        "the other stream is fine");
            }
        }
    }

    @Test
    void aPublishIsUnavailableWhileTheServerIsDownAndUnknownWhileItIsStalled() throws Exception {
        NatsServerProcess server = NatsServerProcess.startJetStream(dir);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (NatsBus bus = bus(server.url(), NatsStreamSettings.DEFAULTS, events)) {
            assertEquals("connected", events.poll(10, TimeUnit.SECONDS));
            assertEquals(1, bus.publishAcked(Channels.BROADCAST, text("1"), ACK).get(10, TimeUnit.SECONDS).offset());
            server.kill();
            assertEquals("disconnected", events.poll(10, TimeUnit.SECONDS));
            assertInstanceOf(BusUnavailableException.class, failure(bus.publishAcked(Channels.BROADCAST, text("x"), ACK)));
            assertInstanceOf(BusUnavailableException.class, failure(bus.publishAcked(Channels.NODES, text("x"), ACK)));

            server = server.startAgain();
            assertEquals("reconnected", events.poll(10, TimeUnit.SECONDS));
            assertEquals(2, bus.publishAcked(Channels.BROADCAST, text("2"), ACK).get(10, TimeUnit.SECONDS).offset(),
                    "the refused publish was not stored");
            // Each stream's set-up after the reconnection reads its epoch; a publish waits for it and, stalled
            // before it was sent, is honestly "not taken". Both streams are set up before the stall.
            bus.publishAcked(Channels.NODES, text("2"), ACK).get(10, TimeUnit.SECONDS);

            server.pause(true);
            try {
                Duration shortly = Duration.ofMillis(500);
                Throwable broadcast = failure(bus.publishAcked(Channels.BROADCAST, text("3"), shortly));
                assertInstanceOf(PublishOutcomeUnknownException.class, broadcast, broadcast::toString);
                Throwable nodes = failure(bus.publishAcked(Channels.NODES, text("3"), shortly));
                assertInstanceOf(PublishOutcomeUnknownException.class, nodes, nodes::toString);
            } finally {
                server.pause(false);
            }
            await(bus::isConnected, "connected after the stall");
            StreamPosition p = bus.publishAcked(Channels.BROADCAST, text("4"), ACK).get(10, TimeUnit.SECONDS);
            List<String> kept = bus.history(Channels.BROADCAST, new StreamPosition(p.epoch(), 2), 10)
                    .get(10, TimeUnit.SECONDS).events().stream().map(e -> text(e.payload())).toList();
            assertTrue(kept.equals(List.of("3", "4")) || kept.equals(List.of("4")),
                    "the publish of unknown outcome is kept at most once: " + kept);
        } finally {
            server.close();
        }
    }

    @Test
    void theEpochChangesWhenTheStoreIsLostAndTheSubscriberGoesOnWithTheNewStream() throws Exception {
        NatsServerProcess server = NatsServerProcess.startJetStream(dir);
        try (NatsBus bus = bus(server.url(), NatsStreamSettings.DEFAULTS)) {
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            bus.subscribeStream(Channels.BROADCAST, (p, pos) -> got.add(text(p) + "@" + pos.offset() + "/" + pos.epoch()));
            StreamPosition before = bus.publishAcked(Channels.BROADCAST, text("old"), ACK).get(10, TimeUnit.SECONDS);
            assertEquals("old@1/" + before.epoch(), got.poll(10, TimeUnit.SECONDS));

            server.kill();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
            }
            server = server.startAgain();
            await(bus::isConnected, "reconnected");
            // Connected before the reconnection's stream set-up has run: a publish then finds no stream and is
            // refused (503, certainly not taken), as a publisher would see it; it retries, as a publisher would.
            StreamPosition after = null;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (after == null) {
                try {
                    after = bus.publishAcked(Channels.BROADCAST, text("new"), ACK).get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertInstanceOf(BusUnavailableException.class, e.getCause(), "only a refusal may be retried");
                    assertTrue(System.nanoTime() < end, "publishes still refused 20 s after the reconnection: " + e);
                    Thread.sleep(100); // retry pacing, as a publisher's
                }
            }
            assertNotEquals(before.epoch(), after.epoch());
            assertEquals(1, after.offset());
            assertEquals("new@1/" + after.epoch(), got.poll(10, TimeUnit.SECONDS));
            assertFalse(bus.history(Channels.BROADCAST, before, 10).get(10, TimeUnit.SECONDS).complete());
        } finally {
            server.close();
        }
    }

    @Test
    void withoutJetStreamAStreamPublishIsUnavailableAfterItsTimeoutOrWhenTheBusCloses() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.startWithConfig(dir, "")) {
            NatsBus bus = bus(server.url(), NatsStreamSettings.DEFAULTS);
            try {
                Throwable e = failure(bus.publishAcked(Channels.BROADCAST, text("x"), Duration.ofMillis(300)));
                assertInstanceOf(BusUnavailableException.class, e, "never sent: the stream was not ready");
                assertNull(bus.publishAcked(Channels.NODES, text("y"), ACK).get(10, TimeUnit.SECONDS),
                        "channels outside JetStream still work");
                CompletableFuture<StreamPosition> waiting = bus.publishAcked(Channels.GROUPS, text("z"),
                        Duration.ofMinutes(5));
                bus.close();
                assertInstanceOf(BusUnavailableException.class, failure(waiting));
            } finally {
                bus.close();
            }
        }
    }
}
