package io.channelpush.channel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The buffer without sockets: a frame offered once is written or withdrawn, never both, never neither. */
class OutboundBufferTest {
    @Test
    void aWithdrawnFrameIsSkippedByTheWriterAndGivesItsBytesBack() throws Exception {
        OutboundBuffer b = new OutboundBuffer(100);
        OutboundBuffer.Entry first = b.offerOnce(new byte[40]);
        OutboundBuffer.Entry second = b.offerOnce(new byte[40]);
        assertNull(b.offerOnce(new byte[40]), "over the limit");
        assertTrue(b.withdraw(first));
        assertEquals(40, b.dataBytes());
        List<OutboundBuffer.Entry> batch = b.peek(10, 0);
        assertFalse(batch.get(0).claim(), "a withdrawn frame cannot be claimed");
        assertTrue(batch.get(1).claim());
        assertFalse(b.withdraw(second), "a claimed frame cannot be withdrawn");
        assertFalse(batch.get(1).claim(), "a frame offered once is claimed once, even on a later connection");
        b.commit(batch);
        assertEquals(0, b.dataBytes());
        assertTrue(b.peek(10, 0).isEmpty());
    }

    @Test
    void aWriterAndAWithdrawerRacingOverEveryFrameNeverBothTakeOne() throws Exception {
        int n = 200_000;
        OutboundBuffer b = new OutboundBuffer(Long.MAX_VALUE);
        List<OutboundBuffer.Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(b.offerOnce(new byte[8]));
        }
        Set<OutboundBuffer.Entry> written = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<OutboundBuffer.Entry> withdrawn = ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean withdrawerDone = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            try {
                while (true) {
                    boolean last = withdrawerDone.get();
                    List<OutboundBuffer.Entry> batch = b.peek(512, TimeUnit.MILLISECONDS.toNanos(10));
                    if (batch.isEmpty() && last) {
                        break; // the deque is empty and nothing can be added to it any more
                    }
                    for (OutboundBuffer.Entry e : batch) {
                        if (e.claim()) {
                            written.add(e);
                        }
                    }
                    b.commit(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<OutboundBuffer.Entry> shuffled = new ArrayList<>(entries);
        Collections.shuffle(shuffled);
        writer.start();
        for (OutboundBuffer.Entry e : shuffled) {
            if (b.withdraw(e)) {
                withdrawn.add(e);
            }
        }
        withdrawerDone.set(true);
        writer.join(30_000);
        assertFalse(writer.isAlive());
        for (OutboundBuffer.Entry e : entries) {
            assertTrue(written.contains(e) ^ withdrawn.contains(e), "a frame was both or neither");
        }
        assertEquals(0, b.dataBytes());
        assertTrue(b.peek(1, 0).isEmpty(), "the deque is empty once every frame is written or withdrawn");
    }
}
