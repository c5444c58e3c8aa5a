package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The slot arithmetic of {@link ConnectionSlots}, without sockets. */
class ConnectionSlotsTest {

    @Test
    void reservationsCountUntilCancelledOrClaimedAndClaimsUntilReleased() {
        ConnectionSlots slots = new ConnectionSlots(2);
        assertTrue(slots.reserve());
        assertTrue(slots.reserve());
        assertFalse(slots.reserve(), "two reservations fill two slots");
        slots.cancel();
        assertEquals(1, slots.used());
        assertTrue(slots.claim(), "the remaining reservation is taken over");
        assertEquals(1, slots.used());
        assertTrue(slots.claim(), "no reservation left: a free slot");
        assertFalse(slots.claim(), "full");
        slots.release();
        assertTrue(slots.reserve());
    }

    @Test
    void unclaimedReservationsExpire() {
        ConnectionSlots slots = new ConnectionSlots(1);
        assertTrue(slots.reserve());
        slots.expire(Long.MAX_VALUE);
        assertEquals(1, slots.used());
        slots.expire(-1);
        assertEquals(0, slots.used());
    }

    @Test
    void racingReservationsNeverExceedTheLimit() throws Exception {
        ConnectionSlots slots = new ConnectionSlots(100);
        AtomicInteger won = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    if (slots.reserve()) {
                        won.incrementAndGet();
                    }
                }
            });
            threads[t].start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertEquals(100, won.get());
        assertEquals(100, slots.used());
    }
}
