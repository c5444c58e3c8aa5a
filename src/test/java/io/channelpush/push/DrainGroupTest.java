package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@link DrainGroup} without sockets: sessions draining into {@link RecordingFrameSender}s, sweeps run by hand
 * ({@link HeldTasks}) where the order matters, or on one thread standing in for an I/O thread under producers on
 * several threads.
 */
class DrainGroupTest {
    private static final PushConfig DEFAULTS = PushConfig.load(Map.<String, String>of()::get);

    /** An executor that keeps its tasks until the test runs them. */
    private static final class HeldTasks implements java.util.concurrent.Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        void runNext() {
            tasks.remove(0).run();
        }
    }

    private static PushSession session(long id, RecordingFrameSender rec, DrainGroup group) {
        return new PushSession(id, rec::attach, e -> group, new SessionLimits(DEFAULTS.sendQueueBytes(),
                DEFAULTS.maxCommandsPerSecond(), s -> { }, new ClientCloseLog()));
    }

    @Test
    void oneSweepDrainsEverySessionThatJoinedBeforeItRanInTheOrderTheyJoined() {
        HeldTasks io = new HeldTasks();
        DrainGroup group = new DrainGroup(io, null, 0);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        List<PushSession> sessions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingFrameSender rec = new RecordingFrameSender(io, true);
            String text = "to-" + i;
            rec.whenSending(text, () -> order.add(text));
            sessions.add(session(i, rec, group));
        }
        for (int i : new int[] {3, 0, 4, 1, 2}) {
            assertTrue(sessions.get(i).send("to-" + i));
        }
        assertEquals(1, io.tasks.size(), "one sweep for five sessions");
        io.runNext();
        assertEquals(List.of("to-3", "to-0", "to-4", "to-1", "to-2"), order);
        assertEquals(0, io.tasks.size());
    }

    @Test
    void aSessionThatJoinsWhileASweepRunsGetsTheNextSweep() {
        HeldTasks io = new HeldTasks();
        DrainGroup group = new DrainGroup(io, null, 0);
        RecordingFrameSender recA = new RecordingFrameSender(io, true);
        RecordingFrameSender recB = new RecordingFrameSender(io, true);
        PushSession a = session(1, recA, group);
        PushSession b = session(2, recB, group);
        recA.whenSending("to-a", () -> b.send("to-b"));
        a.send("to-a");
        io.runNext();
        assertEquals(List.of(), recB.texts(), "b joined after the sweep had taken its list");
        assertEquals(1, io.tasks.size(), "a sweep of its own for b");
        io.runNext();
        assertEquals(List.of("to-b"), recB.texts());
        assertEquals(0, io.tasks.size());
    }

    @Test
    void aDrainThatThrowsLeavesTheRestOfTheSweepToTheNextOne() {
        HeldTasks io = new HeldTasks();
        DrainGroup group = new DrainGroup(io, null, 0);
        RecordingFrameSender broken = new RecordingFrameSender(io, true);
        // an Error: what the drain does not catch itself
        broken.whenSending("boom", () -> {
            throw new AssertionError("the test broke this drain");
        });
        RecordingFrameSender after = new RecordingFrameSender(io, true);
        RecordingFrameSender last = new RecordingFrameSender(io, true);
        session(1, broken, group).send("boom");
        session(2, after, group).send("after");
        session(3, last, group).send("last");
        assertThrows(AssertionError.class, io::runNext);
        assertEquals(1, io.tasks.size(), "the sessions the broken sweep did not reach have a sweep of their own");
        io.runNext();
        assertEquals(List.of("after"), after.texts());
        assertEquals(List.of("last"), last.texts());
    }

    @Test
    void sessionsFedFromFourThreadsGetEveryMessageInEachProducersOrder() throws Exception {
        ExecutorService io = Executors.newSingleThreadExecutor();
        ExecutorService producers = Executors.newFixedThreadPool(4);
        try {
            DrainGroup group = new DrainGroup(io, null, 0);
            List<RecordingFrameSender> recs = new ArrayList<>();
            List<PushSession> sessions = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                RecordingFrameSender rec = new RecordingFrameSender(io, true);
                recs.add(rec);
                sessions.add(session(i, rec, group));
            }
            int perProducer = 200;
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int producer = p;
                done.add(producers.submit(() -> {
                    for (int k = 0; k < perProducer; k++) {
                        for (PushSession s : sessions) {
                            assertTrue(s.send(producer + ":" + k));
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            PushFixture.await(() -> recs.stream().allMatch(r -> r.texts().size() == 4 * perProducer),
                    Duration.ofSeconds(30), "not every message was drained");
            for (RecordingFrameSender rec : recs) {
                int[] next = new int[4];
                for (String t : rec.texts()) {
                    int producer = t.charAt(0) - '0';
                    assertEquals(next[producer]++ + "", t.substring(2), "producer " + producer + "'s order");
                }
            }
        } finally {
            producers.shutdownNow();
            io.shutdownNow();
        }
    }
}
