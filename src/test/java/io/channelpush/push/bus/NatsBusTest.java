package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link NatsBus} against real nats-server processes on loopback. */
class NatsBusTest {
    private static final long BUFFER = 8 << 20;

    /** Records listener calls as "connected", "reconnected" and "disconnected". */
    private static final class Events implements MessageBus.Listener {
        final LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();

        @Override
        public void onConnected(boolean reconnect) {
            seen.add(reconnect ? "reconnected" : "connected");
        }

        @Override
        public void onDisconnected(String reason) {
            seen.add("disconnected");
        }

        void expect(String event) throws InterruptedException {
            assertEquals(event, seen.poll(10, TimeUnit.SECONDS), "listener event");
        }
    }

    private static NatsBus bus(String servers, long bufferBytes, Events events) {
        return NatsBus.connect(NatsBus.parseServers(servers), "test", bufferBytes, events);
    }

    private static byte[] seq(int n, String pad) {
        JsonObject o = new JsonObject();
        o.addProperty("seq", n);
        o.addProperty("pad", pad);
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void messagesReachEverySubscriberInPublishOrderOnOneThread() throws Exception {
        String odd = "a.*.> b\u00e9";
        int count = 2_000;
        try (NatsServerProcess server = NatsServerProcess.start();
             NatsBus subscriber = bus(server.url(), BUFFER, new Events());
             NatsBus publisher = bus(server.url(), BUFFER, new Events())) {
            assertTrue(subscriber.isConnected());
            assertEquals("nats " + server.url(), subscriber.describe());
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            Set<Thread> threads = ConcurrentHashMap.newKeySet();
            CountDownLatch all = new CountDownLatch(count);
            for (String channel : List.of(odd, "broadcast")) {
                subscriber.subscribe(channel, p -> {
                    threads.add(Thread.currentThread());
                    got.add(channel + "#" + json(p).get("seq").getAsInt());
                    all.countDown();
                });
            }
            for (int i = 0; i < count; i++) {
                publisher.publish(i % 2 == 0 ? odd : "broadcast", seq(i, ""));
            }
            assertTrue(all.await(10, TimeUnit.SECONDS), "received " + (count - all.getCount()) + " of " + count);
            for (int i = 0; i < count; i++) {
                assertEquals((i % 2 == 0 ? odd : "broadcast") + "#" + i, got.poll());
            }
            assertEquals(1, threads.size(), "handlers ran on " + threads);
        }
    }

    @Test
    void publishesThatDoNotFitTheReconnectBufferAreRefusedAndTheOthersArriveAfterReconnect() throws Exception {
        Events events = new Events();
        String pad = "x".repeat(1000);
        NatsServerProcess server = NatsServerProcess.start();
        try (NatsBus bus = bus(server.url(), 16 * 1024, events)) {
            events.expect("connected");
            LinkedBlockingQueue<Integer> got = new LinkedBlockingQueue<>();
            bus.subscribe("buffered", p -> got.add(json(p).get("seq").getAsInt()));

            server.kill();
            events.expect("disconnected");
            assertFalse(bus.isConnected());
            int accepted = 0;
            while (true) {
                try {
                    bus.publish("buffered", seq(accepted, pad));
                    accepted++;
                } catch (BusUnavailableException e) {
                    assertTrue(e.getMessage().contains("max buffer"), e.getMessage());
                    break;
                }
                assertTrue(accepted < 100, "16 KiB buffer took 100 KB of publishes");
            }
            assertTrue(accepted >= 10 && accepted < 16, "accepted " + accepted + " publishes of 1 KB into 16 KiB");
            for (int i = 0; i < 3; i++) {
                int n = accepted + 1 + i;
                assertThrows(BusUnavailableException.class, () -> bus.publish("buffered", seq(n, pad)));
            }

            server = server.startAgain();
            events.expect("reconnected");
            bus.publish("buffered", seq(-1, ""));
            for (int i = 0; i < accepted; i++) {
                assertEquals(i, got.poll(10, TimeUnit.SECONDS), "buffered publish " + i + " of " + accepted);
            }
            assertEquals(-1, got.poll(10, TimeUnit.SECONDS), "a refused publish was delivered");
        } finally {
            server.close();
        }
    }

    @Test
    void aBusStartedWhileNatsIsDownConnectsWhenItComesUp() throws Exception {
        int port = NatsServerProcess.freePort();
        Events events = new Events();
        try (NatsBus bus = bus("nats://127.0.0.1:" + port, BUFFER, events)) {
            assertFalse(bus.isConnected());
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            bus.subscribe("early", p -> got.add(json(p).get("pad").getAsString()));
            NatsServerProcess server = NatsServerProcess.start("late", port, 0);
            try {
                events.expect("connected");
                assertTrue(bus.isConnected());
                bus.publish("early", seq(1, "hello"));
                assertEquals("hello", got.poll(10, TimeUnit.SECONDS));
            } finally {
                server.close();
            }
        }
    }

    @Test
    void closeIsIdempotentAndLaterPublishesAreRefused() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.start()) {
            NatsBus bus = bus(server.url(), BUFFER, new Events());
            bus.close();
            bus.close();
            assertFalse(bus.isConnected());
            assertThrows(BusUnavailableException.class, () -> bus.publish("broadcast", seq(1, "")));
        }
    }

    @Test
    void serverListsAreParsed() {
        assertEquals(List.of(URI.create("nats://127.0.0.1:4222"), URI.create("nats://nats-2.internal:5222")),
                NatsBus.parseServers("nats://127.0.0.1:4222, nats://nats-2.internal:5222"));
        assertEquals(-1, NatsBus.parseServers("nats://host").get(0).getPort(), "no port: jnats uses 4222");
        assertEquals(List.of(URI.create("tls://u:p@h:4222")), NatsBus.parseServers("tls://u:p@h:4222"),
                "TLS and credentials in the URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "127.0.0.1:4222", "http://127.0.0.1:4222", "nats://", "nats://h:0", "nats://h:70000",
            "nats://h:4222/path", "ws://user:secret@h:4222", "nats://h:4222,", "nats://h:4222,,nats://g:4222"})
    void badServerListsAreRefused(String list) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NatsBus.parseServers(list));
        assertTrue(e.getMessage().contains("not a NATS server URL"), e.getMessage());
    }

    private static com.google.gson.JsonObject json(byte[] payload) {
        return com.google.gson.JsonParser.parseString(new String(payload, java.nio.charset.StandardCharsets.UTF_8))
                .getAsJsonObject();
    }
}
