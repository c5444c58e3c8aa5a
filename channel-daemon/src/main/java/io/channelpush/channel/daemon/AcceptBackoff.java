package io.channelpush.channel.daemon;

import java.util.concurrent.TimeUnit;

/**
 * When accepting fails (typically {@code EMFILE}, "Too many open files": the connection stays pending, so the
 * selector would report it again at once and the loop would spin), accepting pauses: the first failure pauses it
 * for {@link #MIN_PAUSE_NANOS}, each further failure in a row doubles the pause up to {@link #MAX_PAUSE_NANOS}, and
 * a successful accept resets it. Pure logic with the time passed in; confined to the event-loop thread.
 */
final class AcceptBackoff {
    static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private long pause = MIN_PAUSE_NANOS;
    private boolean paused;
    private long resumeAt;

    /** An accept failed at {@code now}: returns the pause, in nanoseconds, before accepting again. */
    long failed(long now) {
        long p = pause;
        paused = true;
        resumeAt = now + p;
        pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        return p;
    }

    /** An accept succeeded: the next failure pauses for the minimum again. */
    void succeeded() {
        pause = MIN_PAUSE_NANOS;
    }

    boolean paused() {
        return paused;
    }

    /** True (once) when a pause has run out at {@code now}: accepting may resume. */
    boolean resumeDue(long now) {
        if (paused && now - resumeAt >= 0) {
            paused = false;
            return true;
        }
        return false;
    }

    /** Nanoseconds left of the current pause at {@code now}, or 0. */
    long remaining(long now) {
        return paused ? Math.max(0, resumeAt - now) : 0;
    }
}
