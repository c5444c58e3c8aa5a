package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The one decision on where a publish runs, without sockets. */
class PublishDispatchTest {
    private final AtomicReference<Throwable> died = new AtomicReference<>();

    @Test
    void onABusThatNeverWaitsTheTaskRunsOnTheCallersThread() {
        try (PublishDispatch d = new PublishDispatch(false, "w", (t, e) -> died.set(e))) {
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            assertFalse(d.busMayWait());
            assertTrue(d.run(() -> ranOn.set(Thread.currentThread())));
            assertSame(Thread.currentThread(), ranOn.get());
        }
    }

    @Test
    void onABusThatMayWaitTheTaskRunsOnThePublishThreadNotTheCallers() throws Exception {
        try (PublishDispatch d = new PublishDispatch(true, "w1", (t, e) -> died.set(e))) {
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            assertTrue(d.busMayWait());
            assertTrue(d.run(() -> {
                ranOn.set(Thread.currentThread());
                ran.countDown();
            }));
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertEquals("channel-push-publish-w1", ranOn.get().getName());
        }
    }

    @Test
    void tasksRunInArrivalOrderAndAFullQueueRefusesInsteadOfWaiting() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        StringBuilder order = new StringBuilder();
        AtomicInteger ran = new AtomicInteger();
        try (PublishDispatch d = new PublishDispatch(true, "w2", (t, e) -> died.set(e))) {
            // the publish thread waits, as on a bus that cannot take messages
            assertTrue(d.run(() -> {
                started.countDown();
                awaitQuietly(release);
            }));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < PublishDispatch.QUEUE_BOUND; i++) {
                int n = i;
                assertTrue(d.run(() -> {
                    order.append(n).append(',');
                    ran.incrementAndGet();
                }), "task " + i + " fits the queue");
            }
            assertFalse(d.run(() -> ran.incrementAndGet()), "the task beyond the bound is refused at once");
            release.countDown();
            PushFixture.await(() -> ran.get() == PublishDispatch.QUEUE_BOUND, "queued tasks ran");
        }
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < PublishDispatch.QUEUE_BOUND; i++) {
            expected.append(i).append(',');
        }
        assertEquals(expected.toString(), order.toString());
        assertNull(died.get());
    }

    @Test
    void aFailingTaskIsLoggedAndTheThreadGoesOnServing() throws Exception {
        try (PublishDispatch d = new PublishDispatch(true, "w3", (t, e) -> died.set(e))) {
            assertTrue(d.run(() -> {
                throw new IllegalStateException("one bad command");
            }));
            CountDownLatch next = new CountDownLatch(1);
            assertTrue(d.run(next::countDown));
            assertTrue(next.await(10, TimeUnit.SECONDS));
        }
        assertNull(died.get());
    }

    @Test
    void afterCloseNothingRunsAndCloseIsIdempotent() {
        PublishDispatch d = new PublishDispatch(true, "w4", (t, e) -> died.set(e));
        d.close();
        d.close();
        assertFalse(d.run(() -> { }));
    }

    private static void awaitQuietly(CountDownLatch l) {
        try {
            l.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
