package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.FakeDaemon;
import io.channelpush.channel.TestData;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * What a node's readiness reads from {@link ChannelDaemonBus} ({@code isConnected}, {@code exclusiveHeld}) while its
 * connection to the daemon is in its handshake, and start-ups and restarts done the way a node does them (the bus
 * started, then its subscriptions and its worker id's claim at once), against the real daemon.
 */
class ChannelDaemonBusReadinessTest {

    static ClientOptions options(int port) {
        return ClientOptions.of("127.0.0.1", port).withReconnect(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    static boolean within(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return true;
    }

    /** The subscriptions of a starting {@code PushNode}, in its order. */
    static void subscribeLikeANode(MessageBus bus, String worker, LinkedBlockingQueue<StreamPosition> broadcasts) {
        bus.subscribeStream(Channels.BROADCAST, (payload, at) -> broadcasts.add(at));
        bus.subscribeExclusive(worker, payload -> { });
        bus.subscribeStream(Channels.GROUPS, (payload, at) -> { });
        bus.subscribe("n", payload -> { });
    }

    @Test
    void aBusWhoseHandshakeIsStuckIsNeitherConnectedNorHoldsItsWorkerIdUntilTheDaemonAnswersTheClaim()
            throws Exception {
        try (FakeDaemon d = new FakeDaemon();
             ChannelDaemonBus bus = new ChannelDaemonBus(options(d.port()), QuietListener.QUIET)) {
            subscribeLikeANode(bus, "w:1", new LinkedBlockingQueue<>());
            FakeDaemon.Conn first = d.accept();
            first.read(); // its hello, never answered
            assertFalse(within(Duration.ofMillis(300), bus::isConnected), "connected without a welcome");
            first.close();

            FakeDaemon.Conn second = d.acceptV2("e1");
            assertEquals("w:1", second.read("claim").get("channel").getAsString());
            assertFalse(within(Duration.ofMillis(300), bus::isConnected), "connected before its claim was answered");
            assertFalse(bus.exclusiveHeld());
            second.send("{\"type\":\"claimed\",\"channel\":\"w:1\"}");
            assertTrue(within(Duration.ofSeconds(5), () -> bus.isConnected() && bus.exclusiveHeld()));
        }
    }

    @Test
    void startsAndDaemonRestartsWithAReplayPendingLeaveTheBusReadyWithinSecondsAndEveryBroadcastOnce()
            throws Exception {
        Path dir = TestData.freshDir();
        DaemonConfig config = DaemonConfig.defaults().withDataDir(dir).withWarmup(Duration.ZERO);
        ChannelDaemon d = ChannelDaemon.start(config.withPort(io.channelpush.channel.TestPorts.freePort()));
        int port = d.port();
        try (ChannelDaemonBus pub = new ChannelDaemonBus(options(port), QuietListener.QUIET)) {
            // starts: a fresh bus subscribed and claiming while it connects, after a node's set-up time (0 to 6 ms,
            // swept in steps of 200 us: somewhere in there the handshake is under way); 30 rounds, each within 2 s
            for (int round = 0; round < 30; round++) {
                try (ChannelDaemonBus bus = new ChannelDaemonBus(options(port), QuietListener.QUIET)) {
                    long setUp = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(200L * round);
                    while (System.nanoTime() - setUp < 0) {
                        Thread.onSpinWait(); // a node building its parts; parkNanos would round it up
                    }
                    subscribeLikeANode(bus, "w:start", new LinkedBlockingQueue<>());
                    assertTrue(within(Duration.ofSeconds(2), () -> bus.isConnected() && bus.exclusiveHeld()),
                            "round " + round + ": not ready within 2 s of starting");
                }
            }
            // restarts: a bus with a position resumes with a replay pending and claims in the same burst
            LinkedBlockingQueue<StreamPosition> got = new LinkedBlockingQueue<>();
            List<StreamPosition> acked = new ArrayList<>();
            try (ChannelDaemonBus bus = new ChannelDaemonBus(options(port), QuietListener.QUIET)) {
                subscribeLikeANode(bus, "w:restart", got);
                assertTrue(within(Duration.ofSeconds(2), () -> bus.isConnected() && bus.exclusiveHeld()));
                for (int round = 0; round < 4; round++) {
                    List<CompletableFuture<StreamPosition>> during = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        during.add(pub.publishAcked(Channels.BROADCAST,
                                ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)));
                    }
                    d.close();
                    d = ChannelDaemon.start(config.withPort(port));
                    for (CompletableFuture<StreamPosition> f : during) {
                        StreamPosition p = f.exceptionally(e -> null).get(15, TimeUnit.SECONDS);
                        if (p != null) {
                            acked.add(p); // others died with the daemon: their outcome is unknown, never sent again
                        }
                    }
                    int r = round;
                    assertTrue(within(Duration.ofSeconds(3), () -> bus.isConnected() && bus.exclusiveHeld()),
                            "restart " + r + ": not ready within 3 s");
                }
                StreamPosition last = pub.publishAcked(Channels.BROADCAST, "0".getBytes(StandardCharsets.UTF_8),
                        Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
                acked.add(last);
                List<StreamPosition> seen = new ArrayList<>();
                while (!seen.contains(last)) {
                    StreamPosition p = got.poll(10, TimeUnit.SECONDS);
                    assertTrue(p != null, "the last broadcast did not arrive; got " + seen.size());
                    seen.add(p);
                }
                assertNull(got.poll(100, TimeUnit.MILLISECONDS), "more arrived after the last broadcast");
                for (int i = 1; i < seen.size(); i++) {
                    assertEquals(seen.get(i - 1).offset() + 1, seen.get(i).offset(), "a gap or duplicate at " + i);
                }
                assertTrue(seen.containsAll(acked), "an acknowledged broadcast was not delivered");
            }
        } finally {
            d.close();
        }
    }
}
