package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.channelpush.channel.client.ChannelClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The client's handshake against a scripted daemon: what it waits for before it calls itself connected (the answers
 * to the claims it re-sent), and that it never waits for a claim it has not sent nor for longer than its read timeout.
 */
class HandshakeTest {

    /** Reaches the second connection, which re-sends the claim of {@code first} in its resync; the claim unanswered. */
    private static FakeDaemon.Conn reconnectedWithClaimPending(FakeDaemon d, ChannelClient c, String first)
            throws Exception {
        FakeDaemon.Conn one = d.acceptV2("e1");
        assertEquals(first, one.read("claim").get("channel").getAsString());
        one.close();
        FakeDaemon.Conn two = d.acceptV2("e1");
        assertEquals(first, two.read("claim").get("channel").getAsString(), "the claim is re-sent on reconnect");
        assertFalse(c.isConnected(), "connected (ready) before the daemon answered the claim");
        return two;
    }

    @Test
    void aClaimMadeWhileTheHandshakeWaitsForTheResentClaimsIsSentAfterItInsteadOfHangingTheConnection()
            throws Exception {
        try (FakeDaemon d = new FakeDaemon();
             ChannelClient c = ChannelClient.start(AckedPublishTest.options(d))) {
            c.claimBytes("w-a", data -> { });
            FakeDaemon.Conn two = reconnectedWithClaimPending(d, c, "w-a");
            // made after the resync frames were built: its frame waits in the outbound buffer for the writer
            c.claimBytes("w-b", data -> { });
            two.send("{\"type\":\"claimed\",\"channel\":\"w-a\"}");
            assertTrue(c.awaitConnected(Duration.ofSeconds(3)), "the handshake waited for a claim it never sent");
            JsonObject late = two.read("claim");
            assertEquals("w-b", late.get("channel").getAsString(), "the later claim goes out on the same connection");
            assertFalse(c.holdsClaim("w-b"), "held before the daemon granted it");
            two.send("{\"type\":\"claimed\",\"channel\":\"w-b\"}");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!c.holdsClaim("w-b") && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertTrue(c.holdsClaim("w-a") && c.holdsClaim("w-b"));
        }
    }

    @Test
    void aHandshakeWhoseClaimIsNeverAnsweredEndsAfterTheReadTimeoutEvenWhileEventsKeepArriving() throws Exception {
        try (FakeDaemon d = new FakeDaemon();
             ChannelClient c = ChannelClient.start(AckedPublishTest.options(d)
                     .withPing(Duration.ofMillis(200), Duration.ofMillis(800)))) {
            c.onBytes("x", data -> { });
            c.claimBytes("w-a", data -> { });
            FakeDaemon.Conn two = reconnectedWithClaimPending(d, c, "w-a");
            AtomicBoolean stop = new AtomicBoolean();
            Thread feeder = new Thread(() -> {
                // an event every 50 ms, for at most 10 s: the socket is never silent for a read timeout
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                try {
                    while (!stop.get() && System.nanoTime() < end) {
                        two.send("{\"type\":\"event\",\"channel\":\"x\",\"data\":1}");
                        Thread.sleep(50); // paces the feed; nothing waits on it
                    }
                } catch (IOException | InterruptedException e) {
                    // the client closed the connection: what the test waits for
                }
            }, "feeder");
            feeder.start();
            long started = System.nanoTime();
            try {
                FakeDaemon.Conn three = d.accept();
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertTrue(waited < 3_000, "the handshake outlived its read timeout by far: " + waited + " ms");
                assertFalse(c.isConnected(), "a client stuck in its handshake said it was connected");
                three.close();
            } finally {
                stop.set(true);
                feeder.join(5_000);
            }
        }
    }
}
