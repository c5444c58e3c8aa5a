package io.channelpush.channel.daemon;

import io.channelpush.channel.TestData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.RawClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Item 17: a failing accept (as at the descriptor limit) pauses accepting instead of spinning, then recovers. */
class AcceptBackoffTest {
    private static final long MS = 1_000_000L;

    @Test
    void pausesDoubleFromTheMinimumUpToTheMaximumAndResetOnSuccess() {
        AcceptBackoff b = new AcceptBackoff();
        assertFalse(b.paused());
        assertEquals(100 * MS, b.failed(0));
        assertTrue(b.paused());
        assertFalse(b.resumeDue(99 * MS));
        assertEquals(MS, b.remaining(99 * MS));
        assertTrue(b.resumeDue(100 * MS));
        assertFalse(b.resumeDue(101 * MS), "resumes once");
        assertEquals(200 * MS, b.failed(200 * MS));
        assertEquals(400 * MS, b.failed(400 * MS));
        assertEquals(800 * MS, b.failed(800 * MS));
        assertEquals(1_000 * MS, b.failed(1_600 * MS));
        assertEquals(1_000 * MS, b.failed(2_600 * MS));
        b.succeeded();
        assertEquals(100 * MS, b.failed(3_600 * MS));
    }

    @Test
    void anAcceptThatFailsIsRetriedAfterAPauseNotInASpinAndServesOnceItWorksAgain() throws Exception {
        List<Long> attempts = new CopyOnWriteArrayList<>();
        AtomicBoolean exhausted = new AtomicBoolean(true);
        try (ChannelDaemon d = ChannelDaemon.start(TestData.config().withPort(0), t -> { },
                server -> () -> {
                    if (exhausted.get()) {
                        attempts.add(System.nanoTime());
                        throw new IOException("Too many open files");
                    }
                    return server.accept();
                }, m -> { })) {
            try (Socket pending = new Socket()) {
                // the connection stays pending in the backlog, so the selector keeps reporting it
                pending.connect(new InetSocketAddress("127.0.0.1", d.port()), 2_000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (attempts.size() < 4 && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(10 * MS);
                }
                assertTrue(attempts.size() >= 4, "accept was not retried: " + attempts.size());
                long firstThree = attempts.get(3) - attempts.get(0);
                // pauses of 100, 200 and 400 ms lie between the first and the fourth attempt; a spin takes microseconds
                assertTrue(firstThree >= 650 * MS, "retried after " + firstThree / MS + " ms");
                exhausted.set(false);
                try (RawClient c = RawClient.hello(d.port())) {
                    c.sendJson("{\"type\":\"ping\"}");
                    assertEquals("pong", c.read().get("type").getAsString());
                }
            }
        }
    }
}
