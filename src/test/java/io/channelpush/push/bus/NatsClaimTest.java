package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Item 8 on NATS: {@link NatsBus#subscribeExclusive} lets one node hold a channel, against a real nats-server. */
class NatsClaimTest {
    private static final long BUFFER = 8 << 20;

    /** Records exclusive-channel reports as "held" and "refused: detail". */
    private static final class Claims extends QuietListener {
        final LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();

        @Override
        public void onExclusiveHeld(String channel) {
            seen.add("held");
        }

        @Override
        public void onExclusiveRefused(String channel, String detail) {
            seen.add("refused: " + detail);
        }
    }

    private static byte[] msg(int n) {
        JsonObject o = new JsonObject();
        o.addProperty("n", n);
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void await(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, failure);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void theSecondClaimantIsRefusedGetsNothingAndTakesOverWhenTheHolderCloses() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.start();
             NatsBus publisher = NatsBus.connect(NatsBus.parseServers(server.url()), "pub", BUFFER, new Claims())) {
            Claims firstClaims = new Claims();
            Claims secondClaims = new Claims();
            LinkedBlockingQueue<Integer> firstGot = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<Integer> secondGot = new LinkedBlockingQueue<>();
            NatsBus first = NatsBus.connect(NatsBus.parseServers(server.url()), "push-node w", BUFFER, firstClaims);
            try (NatsBus second = NatsBus.connect(NatsBus.parseServers(server.url()), "push-node w", BUFFER, secondClaims)) {
                first.subscribeExclusive("w", p -> firstGot.add(json(p).get("n").getAsInt()));
                assertEquals("held", firstClaims.seen.poll(10, TimeUnit.SECONDS));
                assertTrue(second.exclusiveHeld(), "true while it has no exclusive channel");
                second.subscribeExclusive("w", p -> secondGot.add(json(p).get("n").getAsInt()));
                String refusal = secondClaims.seen.poll(10, TimeUnit.SECONDS);
                assertTrue(refusal != null && refusal.startsWith("refused: held by push-node w (pid "), refusal);
                assertTrue(first.exclusiveHeld());
                assertFalse(second.exclusiveHeld());
                for (int i = 0; i < 20; i++) {
                    publisher.publish("w", msg(i));
                }
                for (int i = 0; i < 20; i++) {
                    assertEquals(i, firstGot.poll(5, TimeUnit.SECONDS));
                }
                assertNull(secondGot.poll(500, TimeUnit.MILLISECONDS), "the refused node received a message");
                assertNull(secondClaims.seen.poll(3, TimeUnit.SECONDS), "repeated refusals are reported once");

                first.close();
                assertEquals("held", secondClaims.seen.poll(10, TimeUnit.SECONDS), "no take-over after the holder left");
                publisher.publish("w", msg(99));
                assertEquals(99, secondGot.poll(5, TimeUnit.SECONDS));
            } finally {
                first.close();
            }
        }
    }

    @Test
    void nodesClaimingAtTheSameMomentSettleOnExactlyOneHolder() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.start()) {
            for (int round = 0; round < 5; round++) {
                List<NatsBus> buses = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        buses.add(NatsBus.connect(NatsBus.parseServers(server.url()), "node-" + i, BUFFER, new Claims()));
                    }
                    CountDownLatch go = new CountDownLatch(1);
                    List<Thread> threads = new ArrayList<>();
                    for (NatsBus b : buses) {
                        Thread t = new Thread(() -> {
                            try {
                                go.await();
                                b.subscribeExclusive("same-" + server.port, p -> { });
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        t.start();
                        threads.add(t);
                    }
                    go.countDown();
                    for (Thread t : threads) {
                        t.join(5_000);
                    }
                    await(() -> buses.stream().filter(NatsBus::exclusiveHeld).count() == 1,
                            "round " + round + ": not exactly one holder");
                    // and it stays that way past the probe window and a retry of the refused ones
                    long settleUntil = System.nanoTime() + NatsClaim.RETRY.toNanos() + NatsClaim.PROBE_WINDOW.toNanos();
                    while (System.nanoTime() < settleUntil) {
                        assertTrue(buses.stream().filter(NatsBus::exclusiveHeld).count() <= 1, "two holders");
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                    }
                    assertEquals(1, buses.stream().filter(NatsBus::exclusiveHeld).count());
                } finally {
                    buses.forEach(NatsBus::close);
                }
            }
        }
    }

    private static com.google.gson.JsonObject json(byte[] payload) {
        return com.google.gson.JsonParser.parseString(new String(payload, java.nio.charset.StandardCharsets.UTF_8))
                .getAsJsonObject();
    }
}
