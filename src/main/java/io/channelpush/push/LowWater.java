package io.channelpush.push;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * A one-shot callback waiting for a session's queued bytes to drop below a mark: how a {@code recover} paces its
 * replay by the session's queue ({@link PushSession#whenQueueBelow}). At most one waits; a later one replaces it.
 * Thread-safe: the callback is taken atomically, so it runs at most once, on whichever thread takes it (the writer
 * reporting a write, or the one that set it).
 */
final class LowWater {
    private static final AtomicReferenceFieldUpdater<LowWater, Runnable> WAITING =
            AtomicReferenceFieldUpdater.newUpdater(LowWater.class, Runnable.class, "waiting");

    private volatile Runnable waiting;
    private volatile long bytes;

    /** Sets the callback and its mark, replacing any waiting one. */
    void set(long bytes, Runnable r) {
        this.bytes = bytes;
        waiting = r;
    }

    /** Takes the waiting callback: the caller runs it. @return null when none waits (or another thread took it) */
    Runnable take() {
        return WAITING.getAndSet(this, null);
    }

    /** The queue holds {@code queued} bytes now, after a write: runs the waiting callback when below its mark. */
    void queueAt(long queued) {
        if (queued < bytes && waiting != null) {
            Runnable r = take();
            if (r != null) {
                r.run();
            }
        }
    }
}
