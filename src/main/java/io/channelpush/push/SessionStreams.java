package io.channelpush.push;

import io.channelpush.push.bus.StreamPosition;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Where a JSON session's stream messages meet its running {@code recover} ({@link Recovery}): while a stream
 * recovers, its live messages are held by the recovery instead of queued; otherwise they go to the session's
 * queue, and the range of broadcasts and of pushes to the session's user delivered live is remembered (a recovery
 * does not send them again; a group's are not, as a recover joins its groups before any of their messages). While the
 * session awaits its client's {@code recover} (it connected with {@code recover=1}, or its last recover was
 * answered {@code unavailable}), the messages of the awaited streams are held here until that recover starts (they
 * then go to its hold) or {@link #AWAIT_RECOVER_MILLIS} pass without it (they are then queued, and holding stops):
 * so a reconnecting client gets what it missed before anything newer. Both holds count against the session's queue
 * bound (beyond, the connection is closed with 1013). One lock per session orders it all. Thread-safe.
 */
final class SessionStreams {
    private static final Logger LOG = Logger.getLogger(SessionStreams.class.getName());
    /**
     * Longest hold while awaiting a {@code recover}: a client that promised one and does not send it (or whose
     * retry after {@code unavailable} does not come) gets its messages late, never lost; 10 s covers a browser's
     * retry backoff (0.5 to 4 s) with room, and is well below the hold's byte bound at any sane publish rate.
     */
    static final long AWAIT_RECOVER_MILLIS = 10_000;

    record Pending(String stream, StreamPosition position, OutboundMessage message) {
    }

    /** The offsets {@code first..last} of one epoch of a stream that the session got live. */
    record Live(String epoch, long first, long last) {
        boolean covers(StreamPosition p) {
            return epoch.equals(p.epoch()) && first <= p.offset() && p.offset() <= last;
        }
    }

    /** What a stream delivered live since its epoch began for this session; mutable, guarded by the session's lock. */
    private static final class LiveRange {
        String stream;
        String epoch;
        long first;
        long last;

        void add(String s, StreamPosition p) {
            if (!s.equals(stream) || !p.epoch().equals(epoch)) {
                // a new epoch, or another user after a bind_uid: what came before is not this stream's range
                stream = s;
                epoch = p.epoch();
                first = p.offset();
            }
            last = p.offset();
        }

        void snapshot(Map<String, Live> into) {
            into.put(stream, new Live(epoch, first, last));
        }
    }

    private final PushSession session;
    // all guarded by this
    private Recovery recovery;
    /** A recover runs or waits for its turn. */
    private boolean reserved;
    /** Made at the first such message: most connections (plain text, no user) never need them. */
    private LiveRange liveBroadcasts;
    private LiveRange liveUser;
    /** Messages held while awaiting a recover; null when not awaiting. */
    private ArrayDeque<Pending> awaiting;
    /** The streams awaited; null: all. */
    private Set<String> awaitedStreams;
    private long awaitingBytes;
    /** Counts waits, so that the timer of an ended wait does nothing. */
    private long awaitGeneration;
    /**
     * Per stream, the last position a recovery replayed from the bus's history, while the node's own subscription
     * has not delivered past it: the history may run ahead of a lagging subscription, whose late copies are then
     * dropped here. At most one per stream the session recovered (its groups and broadcasts); null until the first.
     */
    private Map<String, StreamPosition> replayedUpTo;

    SessionStreams(PushSession session) {
        this.session = session;
    }

    /**
     * Queues a message of {@code stream} unless the running recovery holds it until its replay is done, or the
     * session awaits a recover of that stream. Any thread (the bus's).
     *
     * @return false when it was not queued (closed, too slow, or refused by the hold's bound)
     */
    synchronized boolean send(String stream, StreamPosition position, OutboundMessage m) {
        StreamPosition floor = replayedUpTo == null ? null : replayedUpTo.get(stream);
        if (floor != null) {
            if (floor.epoch().equals(position.epoch()) && position.offset() <= floor.offset()) {
                return true; // replayed already: the node's subscription lags behind the bus's history
            }
            replayedUpTo.remove(stream);
        }
        if (recovery != null && recovery.holds(stream)) {
            return recovery.hold(stream, position, m);
        }
        if (awaiting != null && (awaitedStreams == null || awaitedStreams.contains(stream))) {
            awaitingBytes += m.weight();
            if (awaitingBytes > session.queueLimitBytes()) {
                if (session.close(CloseCode.SLOW_CLIENT)) {
                    LOG.fine(() -> "connection " + session.id + " closed: more than " + session.queueLimitBytes()
                            + " bytes of live messages held while awaiting its recover");
                }
                return false;
            }
            awaiting.add(new Pending(stream, position, m));
            return true;
        }
        return deliver(stream, position, m);
    }

    private boolean deliver(String stream, StreamPosition position, OutboundMessage m) {
        if (stream.equals(Frames.BROADCAST)) {
            if (liveBroadcasts == null) {
                liveBroadcasts = new LiveRange();
            }
            liveBroadcasts.add(stream, position);
        } else if (stream.startsWith(Frames.USER_PREFIX)) {
            if (liveUser == null) {
                liveUser = new LiveRange();
            }
            liveUser.add(stream, position);
        }
        return session.send(m);
    }

    /**
     * Holds the messages of {@code streams} (null: every stream) until a recover starts, at most
     * {@link #AWAIT_RECOVER_MILLIS}; {@code carried} (held by a recovery that could not finish, in order per stream)
     * are held first.
     */
    synchronized void awaitRecover(Set<String> streams, Collection<Pending> carried) {
        if (awaiting == null) {
            awaiting = new ArrayDeque<>();
            awaitedStreams = streams;
        } else if (awaitedStreams != null) {
            awaitedStreams = streams == null ? null : union(awaitedStreams, streams);
        }
        if (carried != null) {
            for (Pending p : carried) {
                awaitingBytes += p.message().weight();
                awaiting.add(p);
            }
        }
        long generation = ++awaitGeneration;
        CompletableFuture.delayedExecutor(AWAIT_RECOVER_MILLIS, TimeUnit.MILLISECONDS)
                .execute(() -> expire(generation));
    }

    /** Holds every stream's messages until the client's recover (a connection opened with {@code recover=1}). */
    void awaitRecover() {
        awaitRecover(null, null);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }

    /** One held message carried from an unfinished recovery back to the wait for the next recover. */
    static Pending pending(String stream, StreamPosition position, OutboundMessage m) {
        return new Pending(stream, position, m);
    }

    private synchronized void expire(long generation) {
        if (generation == awaitGeneration && awaiting != null && !reserved) {
            LOG.fine(() -> "connection " + session.id + ": no recover within " + AWAIT_RECOVER_MILLIS
                    + " ms; held messages delivered");
            stopAwaiting();
        }
    }

    /** Ends the wait for a recover (its timer then does nothing); returns what was held, or null. Caller holds this. */
    private ArrayDeque<Pending> endAwaiting() {
        ArrayDeque<Pending> a = awaiting;
        awaiting = null;
        awaitedStreams = null;
        awaitingBytes = 0;
        awaitGeneration++;
        return a;
    }

    /** Stops awaiting a recover (none will come: it was refused): the held messages are queued now. */
    synchronized void stopAwaiting() {
        ArrayDeque<Pending> a = endAwaiting();
        if (a != null) {
            for (Pending p : a) {
                deliver(p.stream(), p.position(), p.message());
            }
        }
    }

    /** Whether messages are held awaiting a recover (for tests). */
    synchronized boolean awaiting() {
        return awaiting != null;
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
     * Starts {@code r} unless one runs already: from now on live messages of its streams are held, those held
     * awaiting it included; those of other streams held awaiting it are queued.
     *
     * @return per stream, the broadcasts and pushes to the user delivered live so far (of the latest epoch), or null
     *         when a recovery runs already
     */
    synchronized Map<String, Live> start(Recovery r) {
        if (recovery != null) {
            return null;
        }
        recovery = r;
        Map<String, Live> live = new HashMap<>(4);
        for (LiveRange l : new LiveRange[] {liveBroadcasts, liveUser}) {
            if (l != null) {
                l.snapshot(live);
            }
        }
        ArrayDeque<Pending> a = endAwaiting();
        if (a != null) {
            for (Pending p : a) {
                if (r.holds(p.stream())) {
                    if (!r.hold(p.stream(), p.position(), p.message())) {
                        break;
                    }
                } else {
                    deliver(p.stream(), p.position(), p.message());
                }
            }
        }
        return live;
    }

    /** A recovery replayed {@code stream} up to {@code last} (caller holds this lock, via {@link #locked}). */
    void replayed(String stream, StreamPosition last) {
        if (replayedUpTo == null) {
            replayedUpTo = new HashMap<>();
        }
        replayedUpTo.put(stream, last);
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
