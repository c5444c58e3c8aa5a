package io.channelpush.push;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions that share one drain thread (an Undertow I/O thread, or the node's sender pool), drained in sweeps:
 * a session with something to send joins the group's pending list, and one task per sweep drains every pending
 * session, instead of one task per session per message. With a write delay the sweep waits that long after the
 * first message, so that what arrives meanwhile (the next broadcasts) goes out in the same socket write: fewer
 * writes per delivery at the price of that much latency. Thread-safe.
 */
final class DrainGroup {
    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final long delayNanos;
    private final ConcurrentLinkedQueue<PushSession> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicBoolean sweepScheduled = new AtomicBoolean();

    /** @param timer delays sweeps when {@code delayMillis} is positive */
    DrainGroup(Executor executor, ScheduledExecutorService timer, int delayMillis) {
        this.executor = executor;
        this.timer = timer;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
    }

    /** Queues a drain of {@code s}; the session calls this at most once until that drain has run. */
    void schedule(PushSession s) {
        pending.add(s);
        pendingCount.incrementAndGet();
        if (sweepScheduled.compareAndSet(false, true)) {
            if (delayNanos == 0) {
                submit();
            } else {
                try {
                    timer.schedule(this::submit, delayNanos, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    refuseAll(e);
                }
            }
        }
    }

    private void submit() {
        try {
            executor.execute(this::sweep);
        } catch (RejectedExecutionException e) {
            refuseAll(e);
        }
    }

    /** Drains the sessions pending when it starts; those that queue again meanwhile get the next sweep. */
    private void sweep() {
        // reset first: a session scheduled from now on must get a sweep of its own
        sweepScheduled.set(false);
        int n = pendingCount.get();
        PushSession s;
        while (n-- > 0 && (s = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            s.drain();
        }
    }

    /** The drain thread is stopping (node or connection closing): nothing pending can be sent. */
    private void refuseAll(RejectedExecutionException e) {
        sweepScheduled.set(false);
        PushSession s;
        while ((s = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            s.drainRefused(e);
        }
    }
}
