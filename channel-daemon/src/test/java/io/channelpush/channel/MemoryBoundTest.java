package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.channel.protocol.FrameCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Item 15, at the DEFAULT settings: the daemon's retained bytes stay under its memory bound (256 MiB) whatever
 * clients send; a request past it gets the non-fatal {@code over_capacity}, and everyone else is served.
 */
class MemoryBoundTest {
    private static final int ONE_MB = 1_000_000;
    private ChannelDaemon daemon;
    private ChannelClient sub;
    private ChannelClient pub;
    private final Recorder received = new Recorder();

    @BeforeEach
    void start() throws Exception {
        daemon = ChannelDaemon.start(TestData.config().withPort(0));
        sub = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withClientName("honest-sub"));
        pub = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withClientName("honest-pub"));
        sub.on("alive", received);
        assertTrue(sub.awaitConnected(Duration.ofSeconds(5)));
        assertTrue(pub.awaitConnected(Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        sub.close();
        pub.close();
        daemon.close();
    }

    private void honestTrafficFlows(int n) throws InterruptedException {
        pub.publish("alive", new JsonPrimitive(n));
        while (true) {
            var e = received.next(10_000);
            if (e == null) {
                throw new AssertionError("the honest subscriber stopped receiving");
            }
            if (e.getAsInt() == n) {
                return;
            }
        }
    }

    private JsonObject stats() throws IOException {
        try (RawClient s = RawClient.hello(daemon.port())) {
            s.sendJson("{\"type\":\"stats\"}");
            return s.read();
        }
    }

    @Test
    void fiveHundredTwelveEnqueuesOfOneMegabyteAreRefusedPastTheBoundAndTheDaemonKeepsServing() throws Exception {
        String item = "{\"type\":\"enqueue\",\"queue\":\"hoard\",\"data\":\"" + "x".repeat(ONE_MB) + "\"}";
        byte[] frame = FrameCodec.encode(item);
        Map<String, AtomicInteger> codes = new ConcurrentHashMap<>();
        try (RawClient hostile = RawClient.hello(daemon.port())) {
            hostile.socket.setSoTimeout(30_000);
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        JsonObject m = hostile.read();
                        String what = m.has("code") ? m.get("code").getAsString() : m.get("type").getAsString();
                        codes.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            reader.start();
            for (int i = 0; i < 512; i++) {
                hostile.send(frame);
            }
            hostile.sendJson("{\"type\":\"ping\"}");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (count(codes, "over_capacity") < 512 - 134 && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling a condition; the reader thread fills the map
            }
            int refused = count(codes, "over_capacity");
            // queue items may use half of 256 MiB: 134 items of 1,000,040 bytes at most; every one past that is refused
            assertTrue(refused >= 512 - 134, "refused " + refused + ": " + codes);
            while (count(codes, "pong") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, count(codes, "pong"), "the ping after the items is answered: " + codes);
            assertEquals(2, codes.size(), "only over_capacity and the pong, nothing fatal: " + codes);
            honestTrafficFlows(1);
            JsonObject s = stats();
            long used = s.get("memory_bytes").getAsLong();
            long peak = s.get("memory_peak_bytes").getAsLong();
            assertEquals(DaemonConfig.DEFAULT_MEMORY_LIMIT_BYTES, s.get("memory_limit_bytes").getAsLong());
            assertTrue(peak <= DaemonConfig.DEFAULT_MEMORY_LIMIT_BYTES, "peak " + peak);
            assertTrue(used > 100L << 20, "the kept items are counted: " + used);
            JsonObject hoard = s.getAsJsonObject("queues").getAsJsonObject("hoard");
            assertEquals(512 - refused, hoard.get("depth").getAsInt());
            // the hostile connection is still open and served
            hostile.sendJson("{\"type\":\"ping\"}");
            hostile.socket.shutdownOutput();
            reader.join(10_000);
        }
    }

    private static int count(Map<String, AtomicInteger> codes, String code) {
        AtomicInteger n = codes.get(code);
        return n == null ? 0 : n.get();
    }

    @Test
    void framesAboveTheDefaultMaximumAreRefusedFromTheirHeaderAlone() throws Exception {
        long before = stats().get("memory_bytes").getAsLong();
        for (byte[] header : new byte[][] {{0, 0x10, 0, 1}, {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}}) {
            try (RawClient bad = RawClient.hello(daemon.port())) {
                bad.send(header); // 1 MiB + 1 and 4 GiB - 1, with no body
                JsonObject err = bad.read();
                assertEquals("bad_frame_length", err.get("code").getAsString(), err.toString());
                assertTrue(bad.closedByDaemon());
            }
        }
        // before hello only a small frame is accepted: an anonymous socket cannot make the daemon hold 1 MiB
        try (RawClient anonymous = new RawClient(daemon.port())) {
            anonymous.send(new byte[] {0, 0x10, 0, 0});
            assertEquals("bad_frame_length", anonymous.read().get("code").getAsString());
        }
        assertEquals(before, stats().get("memory_bytes").getAsLong());
        honestTrafficFlows(2);
    }

    @Test
    void frameBodiesBeingReceivedCountAndAreRefusedPastTheBound() throws Exception {
        // 100 connections each declaring a 1 MiB frame and sending half of it: bodies above 64 KiB may use a quarter
        // of the bound (64 MiB), so 64 are held and the others refused; small frames still pass
        java.util.List<RawClient> open = new java.util.ArrayList<>();
        Map<String, AtomicInteger> codes = new ConcurrentHashMap<>();
        try {
            byte[] header = {0, 0x10, 0, 0};
            byte[] half = new byte[512 * 1024];
            for (int i = 0; i < 100; i++) {
                RawClient c = RawClient.hello(daemon.port());
                open.add(c);
                c.send(header);
                c.send(half);
            }
            for (RawClient c : open) {
                c.socket.setSoTimeout(200);
                try {
                    JsonObject m = c.read();
                    codes.computeIfAbsent(m.get("code").getAsString(), k -> new AtomicInteger()).incrementAndGet();
                } catch (java.net.SocketTimeoutException e) {
                    codes.computeIfAbsent("none", k -> new AtomicInteger()).incrementAndGet();
                }
            }
            assertEquals(100 - 64, count(codes, "over_capacity"), codes.toString());
            assertTrue(stats().get("memory_peak_bytes").getAsLong() <= DaemonConfig.DEFAULT_MEMORY_LIMIT_BYTES);
            honestTrafficFlows(3);
        } finally {
            for (RawClient c : open) {
                c.close();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long used;
        while ((used = stats().get("memory_bytes").getAsLong()) > 1 << 20 && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling until the daemon has seen the closes
        }
        assertTrue(used <= 1 << 20, "closed connections give their bytes back: " + used);
    }
}
