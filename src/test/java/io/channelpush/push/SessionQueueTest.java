package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link SessionQueue} without sockets or drains: what producers queue, taken back as the drain takes it (the
 * session is only its holder; nothing here schedules a drain).
 */
class SessionQueueTest {
    private static final PushConfig DEFAULTS = PushConfig.load(Map.<String, String>of()::get);

    private static PushSession queue() {
        RecordingFrameSender rec = new RecordingFrameSender(Runnable::run, true);
        DrainGroup group = new DrainGroup(Runnable::run, null, 0);
        return new PushSession(1, rec::attach, e -> group, new SessionLimits(DEFAULTS.sendQueueBytes(),
                DEFAULTS.maxCommandsPerSecond(), s -> { }, new ClientCloseLog()));
    }

    /** The items of what {@link SessionQueue#takeAll} returned, in its order. */
    private static List<Object> items(Object taken) {
        List<Object> out = new ArrayList<>();
        if (taken instanceof SessionQueue.Node n) {
            for (; n != null; n = n.after()) {
                out.add(n.item);
            }
        } else if (taken != null) {
            out.add(taken);
        }
        return out;
    }

    @Test
    void anItemQueuedToAnEmptyQueueIsTakenAsItIsWithoutANode() {
        PushSession q = queue();
        Object m = "message";
        q.enqueue(m);
        assertTrue(q.hasQueued());
        assertSame(m, q.takeAll(), "one item comes back itself: a delivery to an idle session allocates no node");
        assertNull(q.takeAll());
        assertFalse(q.hasQueued());
    }

    @Test
    void itemsQueuedBehindOneHeldWithoutANodeComeOutOldestFirst() {
        PushSession q = queue();
        q.enqueue("a");
        q.enqueue("b");
        q.enqueue("c");
        Object taken = q.takeAll();
        assertInstanceOf(SessionQueue.Node.class, taken);
        assertEquals(List.of("a", "b", "c"), items(taken));
        assertNull(q.takeAll());
        q.enqueue("d");
        assertEquals(List.of("d"), items(q.takeAll()));
    }

    @Test
    void whatAFailedDrainKeptComesBeforeWhatWasQueuedSince() {
        PushSession q = queue();
        q.enqueue("a");
        q.enqueue("b");
        q.enqueue("c");
        SessionQueue.Node first = (SessionQueue.Node) q.takeAll();
        // the drain wrote "a" and failed on "b": "b" and "c" go to the next drain
        q.keepUnsent(first.after());
        q.enqueue("d");
        assertEquals(List.of("b", "c"), items(q.takeAll()));
        assertEquals(List.of("d"), items(q.takeAll()));
        assertNull(q.takeAll());
    }

    @Test
    void everyItemOfFourProducersIsTakenOnceInEachProducersOrder() throws Exception {
        PushSession q = queue();
        int producers = 4;
        int perProducer = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        q.enqueue(new int[] {producer, i});
                    }
                }));
            }
            int[] next = new int[producers];
            int taken = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (taken < producers * perProducer) {
                assertTrue(System.nanoTime() < deadline, "took " + taken + " items in 30 s");
                for (Object item : items(q.takeAll())) {
                    int[] pi = (int[]) item;
                    assertEquals(next[pi[0]], pi[1], "producer " + pi[0] + "'s items out of order");
                    next[pi[0]]++;
                    taken++;
                }
            }
            for (Future<?> f : done) {
                f.get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
            }
            assertNull(q.takeAll(), "an item taken twice or left behind");
            for (int p = 0; p < producers; p++) {
                assertEquals(perProducer, next[p]);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
