package io.channelpush.push;

import io.channelpush.push.bus.StreamPosition;

/**
 * Where a JSON session's stream messages meet its running {@code recover} ({@link Recovery}): while a stream
 * recovers, its live messages are held by the recovery instead of queued; otherwise they go to the session's
 * queue, and the range of broadcasts delivered live is remembered (a recovery does not send them again). One lock
 * per session orders the two. Thread-safe.
 */
final class SessionStreams {
    /** {@link #start}'s answer when a recovery runs already. */
    static final Object[] RUNNING = new Object[0];

    private final PushSession session;
    // all guarded by this
    private Recovery recovery;
    /** A recover runs or waits for its turn. */
    private boolean reserved;
    private String liveEpoch;
    private long firstLive;
    private long lastLive;

    SessionStreams(PushSession session) {
        this.session = session;
    }

    /**
     * Queues a message of {@code stream} unless the running recovery holds it until its replay is done. Any
     * thread (the bus's).
     *
     * @return false when it was not queued (closed, too slow, or refused by the recovery's bound)
     */
    synchronized boolean send(String stream, StreamPosition position, OutboundMessage m) {
        if (recovery != null && recovery.holds(stream)) {
            return recovery.hold(stream, position, m);
        }
        if (stream.equals(Frames.BROADCAST)) {
            if (!position.epoch().equals(liveEpoch)) {
                liveEpoch = position.epoch();
                firstLive = position.offset();
            }
            lastLive = position.offset();
        }
        return session.send(m);
    }

    /** Reserves the session's one recover. @return false when one runs or waits already */
    synchronized boolean reserve() {
        if (reserved) {
            return false;
        }
        reserved = true;
        return true;
    }

    /**
     * Starts {@code r} unless one runs already: from now on live messages of its streams are held.
     *
     * @return the broadcasts delivered live so far as {epoch, first, last} (null when none), or {@link #RUNNING}
     */
    synchronized Object[] start(Recovery r) {
        if (recovery != null) {
            return RUNNING;
        }
        recovery = r;
        return liveEpoch == null ? null : new Object[] {liveEpoch, firstLive, lastLive};
    }

    /** Runs {@code action} under the lock live stream messages take (a recovery ending one of its streams). */
    synchronized void locked(Runnable action) {
        action.run();
    }

    /** Ends {@code r} (it replayed all, or was abandoned). */
    synchronized void end(Recovery r) {
        if (recovery == r) {
            recovery = null;
        }
        reserved = false;
    }

    /** The running recovery, or null. */
    synchronized Recovery recovery() {
        return recovery;
    }
}
