package io.channelpush.push;

import java.util.concurrent.TimeUnit;

/**
 * The retries of one {@link Recovery}'s failing history requests: a failure (the bus unavailable, stalled or not
 * answering) is not a gap, so the request is sent again after a pause (0.1 s doubling to 2 s) until
 * {@link #HISTORY_RETRY_MILLIS} passed since the first failing one was sent; then the recover is answered
 * {@code unavailable}. Not thread-safe: used by its recovery's one step at a time.
 */
final class HistoryRetry {
    /**
     * How long failing history requests are retried: the time of a short outage of the bus (a daemon restart, a
     * stalled process: about 10 s), with room.
     */
    static final long HISTORY_RETRY_MILLIS = 15_000;
    private static final long FIRST_PAUSE_MILLIS = 100;
    private static final long MAX_PAUSE_MILLIS = 2_000;

    /** When the last request was sent (nanoTime). */
    private long askedAt;
    /** When the first of the failing requests was sent (nanoTime), 0 while they succeed. */
    private long failingSince;
    private long pauseMillis;
    /** When to ask again (nanoTime), 0 when no retry waits. */
    private long retryAt;

    /** A request is sent now. */
    void asked() {
        askedAt = System.nanoTime();
    }

    /** The last request succeeded. */
    void succeeded() {
        failingSince = 0;
        pauseMillis = 0;
    }

    /**
     * The last request failed.
     *
     * @return false when requests have failed for {@code boundMillis}: give up
     */
    boolean failed(long boundMillis) {
        long now = System.nanoTime();
        if (failingSince == 0) {
            failingSince = askedAt;
        }
        if (now - failingSince >= TimeUnit.MILLISECONDS.toNanos(boundMillis)) {
            return false;
        }
        pauseMillis = pauseMillis == 0 ? FIRST_PAUSE_MILLIS : Math.min(MAX_PAUSE_MILLIS, pauseMillis * 2);
        retryAt = now + TimeUnit.MILLISECONDS.toNanos(pauseMillis);
        return true;
    }

    /** Nanoseconds until the retry may be sent, 0 when it may now (or none waits). */
    long waitNanos() {
        if (retryAt == 0) {
            return 0;
        }
        long wait = retryAt - System.nanoTime();
        if (wait <= 0) {
            retryAt = 0;
            return 0;
        }
        return wait;
    }
}
