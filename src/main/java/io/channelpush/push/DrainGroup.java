package io.channelpush.push;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sessions that share one drain thread (an Undertow I/O thread, or the node's sender pool), drained in sweeps:
 * a session with something to send joins the group's pending list, and one task per sweep drains every pending
 * session, instead of one task per session per message. With a write delay the sweep waits that long after the
 * first message, so that what arrives meanwhile (the next broadcasts) goes out in the same socket write: fewer
 * writes per delivery at the price of that much latency. The pending list is a stack linked through the sessions
 * themselves ({@link PushSession#nextPending}), pushed with a compare-and-set and taken whole by the sweep, which
 * reverses it: joining allocates nothing, where a queue node per session per broadcast was a third of what a
 * delivery allocated. Thread-safe.
 */
final class DrainGroup {
    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(DrainGroup.class, "pending", PushSession.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final long delayNanos;
    /** Sessions waiting for a sweep, the newest first; null when none. Non-null means a sweep is on its way. */
    private volatile PushSession pending;

    /** @param timer delays sweeps when {@code delayMillis} is positive */
    DrainGroup(Executor executor, ScheduledExecutorService timer, int delayMillis) {
        this.executor = executor;
        this.timer = timer;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
    }

    /** Queues a drain of {@code s}; the session calls this at most once until that drain has run. */
    void schedule(PushSession s) {
        PushSession before;
        do {
            before = pending;
            s.nextPending = before;
        } while (!PENDING.compareAndSet(this, before, s));
        // the session that made the list non-empty owes it a sweep; later ones ride on that sweep
        if (before == null) {
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

    /** Drains the sessions pending when it starts, oldest first; those that join meanwhile get the next sweep. */
    private void sweep() {
        PushSession s = takeAll();
        try {
            while (s != null) {
                PushSession current = s;
                s = current.nextPending;
                current.nextPending = null;
                current.drain();
            }
        } finally {
            // a drain that threw (it catches what it expects) leaves the rest of the sweep to the next one
            while (s != null) {
                PushSession next = s.nextPending;
                schedule(s);
                s = next;
            }
        }
    }

    /** Empties the list (from now on a session that joins schedules a sweep of its own), oldest first. */
    private PushSession takeAll() {
        PushSession s = (PushSession) PENDING.getAndSet(this, (PushSession) null);
        PushSession older = null;
        while (s != null) {
            PushSession next = s.nextPending;
            s.nextPending = older;
            older = s;
            s = next;
        }
        return older;
    }

    /** The drain thread is stopping (node or connection closing): nothing pending can be sent. */
    private void refuseAll(RejectedExecutionException e) {
        for (PushSession s = takeAll(); s != null; ) {
            PushSession next = s.nextPending;
            s.nextPending = null;
            s.drainRefused(e);
            s = next;
        }
    }
}
