package io.channelpush.push;

import com.google.gson.JsonElement;
import io.channelpush.push.bus.Channels;
import io.channelpush.push.bus.StreamEvent;
import io.channelpush.push.bus.StreamHistory;
import io.channelpush.push.bus.StreamPosition;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * One {@code recover} command of one JSON session: for each stream asked for, in order, the messages after the
 * client's position from the bus's history ({@link io.channelpush.push.bus.MessageBus#history}, a page at a time),
 * then the live messages of that stream which arrived meanwhile (held here, deduplicated by offset), then the
 * stream is live again; at the end {@code {"type":"recovered","streams":{...}}}. Paced by the session's queue: a
 * page goes out only while less than half of {@code channelpush.send-queue-bytes} is queued. Bounds: at most
 * {@code channelpush.max-recover-messages} replayed (beyond, the stream and the rest are {@code false}); held live
 * messages at most the session's queue bytes ({@link HeldMessages}; beyond, the connection is closed with 1013 like
 * a slow client, and the client recovers again after reconnecting). One history request in flight at a time. The
 * steps run on whichever thread completes the previous one (the container's, the bus's, the session's writer), never
 * two at once; each stream's walk through the history is a {@link HistoryWalk}; the held messages are guarded by
 * the session's stream lock. Thread-safe.
 */
final class Recovery {
    private static final Logger LOG = Logger.getLogger(Recovery.class.getName());
    /** Messages asked of the bus per history request. */
    static final int PAGE = 256;
    /** Longest wait for one history page; the bus bounds its own wait, this only guards against one that does not. */
    private static final long HISTORY_TIMEOUT_SECONDS = 30;

    /**
     * One stream to recover: its name ({@link Frames}), the bus channel that holds it ({@link Channels}; null for a
     * stream this session may not recover, answered {@code false} without a replay), the group or user id that
     * filters the channel's messages (null for broadcasts), and the client's position.
     */
    record Want(String stream, String channel, String id, StreamPosition after) {
        static Want broadcast(StreamPosition after) {
            return new Want(Frames.BROADCAST, Channels.BROADCAST, null, after);
        }

        static Want group(String group, StreamPosition after) {
            return new Want(Frames.GROUP_PREFIX + group, Channels.GROUPS, group, after);
        }

        static Want user(String uid, StreamPosition after) {
            return new Want(Frames.USER_PREFIX + uid, Channels.USERS, uid, after);
        }

        /** A stream named by the client that it may not recover (another user's): {@code false}, nothing replayed. */
        static Want refused(String stream) {
            return new Want(stream, null, null, null);
        }
    }

    private enum Step { CONTINUE, WAIT, DONE }

    private final PushSession session;
    private final Recoveries owner;
    private final List<Want> wants;
    private final JsonElement id;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean abandoned;

    // guarded by the session's stream lock
    private final HeldMessages held;
    private final Map<String, Boolean> results = new LinkedHashMap<>();

    // the replay: one step at a time
    /** Per stream, what the session got live before this recovery began ({@link SessionStreams#start}). */
    private Map<String, SessionStreams.Live> live;
    private int index;
    /** The history walk of stream {@code index}; null before its first step. */
    private HistoryWalk walk;
    private int replayed;
    private final HistoryRetry retry = new HistoryRetry();
    /** History failed beyond {@link HistoryRetry#HISTORY_RETRY_MILLIS}: the recover is answered unavailable. */
    private boolean unavailable;

    Recovery(PushSession session, Recoveries owner, List<Want> wants, JsonElement id) {
        this.session = session;
        this.owner = owner;
        this.wants = wants;
        this.id = id;
        this.held = new HeldMessages(session, wants.stream().map(Want::stream).toList());
    }

    /**
     * Marks the streams recovering on the session (from now on their live messages are held here).
     *
     * @return false when the session runs another recovery
     */
    boolean mark() {
        Map<String, SessionStreams.Live> l = session.streams().start(this);
        if (l == null) {
            return false;
        }
        live = l;
        return true;
    }

    /** Whether live messages of {@code stream} are held (caller holds the session's stream lock). */
    boolean holds(String stream) {
        return held.holds(stream);
    }

    /** Holds a live message (caller holds the session's stream lock). @return false when it was dropped */
    boolean hold(String stream, StreamPosition position, OutboundMessage m) {
        return held.hold(stream, position, m);
    }

    /** Runs the replay's steps until one must wait (for the bus or the session's queue) or all is done. */
    void run() {
        try {
            while (!abandoned) {
                if (step() != Step.CONTINUE) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            LOG.warning(() -> "connection " + session.id + ": recover failed: " + e);
            abandon();
            session.close(CloseCode.SEND_FAILED);
        }
    }

    private Step step() {
        if (index == wants.size()) {
            finish();
            return Step.DONE;
        }
        if (unavailable) {
            answerUnavailable();
            return Step.DONE;
        }
        Want w = wants.get(index);
        if (walk == null) {
            walk = new HistoryWalk(w, this::firstHeld);
        }
        long wait = retry.waitNanos();
        if (wait > 0) {
            CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS).execute(this::run);
            return Step.WAIT;
        }
        if (w.channel() == null || walk.beforeFirstPage() && replayed >= owner.maxMessages()) {
            walk.unrecoverable();
            endStream(w);
            return Step.CONTINUE;
        }
        long lowWater = session.queueLimitBytes() / 2;
        while (walk.hasNext()) {
            if (session.queuedBytes() > lowWater) {
                session.whenQueueBelow(lowWater, this::run);
                return Step.WAIT;
            }
            if (!replay(w, walk.next())) {
                return Step.CONTINUE;
            }
        }
        if (walk.needsPage()) {
            retry.asked();
            CompletableFuture<StreamHistory> f = owner.bus().history(HistoryContent.channel(w), walk.from(), PAGE)
                    .orTimeout(HISTORY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!f.isDone()) {
                f.whenComplete((h, e) -> {
                    page(w, h, e);
                    run();
                });
                return Step.WAIT;
            }
            f.whenComplete((h, e) -> page(w, h, e));
            return Step.CONTINUE;
        }
        endStream(w);
        return Step.CONTINUE;
    }

    /** The offset of the first live message of {@code stream} held in {@code epoch}, else {@code none}. */
    private long firstHeld(String stream, String epoch, long none) {
        long[] first = {none};
        session.streams().locked(() -> first[0] = held.firstOffset(stream, epoch, none));
        return first[0];
    }

    private void page(Want w, StreamHistory h, Throwable e) {
        if (e == null && h.more() && h.events().isEmpty()) {
            // the bus has more but handed none (a fetch that timed out): ending here would skip to the held
            // live messages, losing what lies between; ask again like after a failure
            e = new IllegalStateException("an empty history page with more to come");
        }
        if (e != null) {
            // not a gap: the bus may be back soon; ask again (same cursor) with backoff, within the bound
            walk.failed();
            long bound = owner.historyRetryMillis;
            if (!retry.failed(bound)) {
                Throwable cause = e;
                LOG.fine(() -> "connection " + session.id + ": history of " + w.stream() + " unavailable for "
                        + bound + " ms: " + cause);
                unavailable = true;
            }
            return;
        }
        retry.succeeded();
        if (walk.accept(h) && !retry.failed(owner.historyRetryMillis)) {
            // asked again (with backoff) while the history stays behind; past the bound, go on without
            StreamPosition cursor = walk.cursor();
            LOG.fine(() -> "connection " + session.id + ": history of " + w.stream() + " stayed behind the live "
                    + "messages after " + cursor + "; its replay ends there");
            walk.giveUpStale();
            retry.succeeded();
        }
    }

    /** Sends one event of the history. @return false when the replay of this stream stopped */
    private boolean replay(Want w, StreamEvent e) {
        long offset = e.position().offset();
        if (walk.sentAlready(e.position()) || deliveredLive(w.stream(), e.position())) {
            return true;
        }
        String content = HistoryContent.of(w, e.payload());
        if (content == null) {
            return true;
        }
        if (replayed >= owner.maxMessages()) {
            walk.unrecoverable();
            return false;
        }
        if (!session.send(OutboundMessage.forOne(Frames.message(w.stream(), e.position(), content)))) {
            abandon();
            return false;
        }
        replayed++;
        owner.metrics().messagesRecovered.increment();
        walk.sent(offset);
        return true;
    }

    /** Whether a message of {@code stream} (a broadcast or a push to the user) went to this session live before the recover began. */
    private boolean deliveredLive(String stream, StreamPosition p) {
        SessionStreams.Live l = live.get(stream);
        return l != null && l.covers(p);
    }

    /** Sends the held live messages after the replayed ones and makes the stream live again. */
    private void endStream(Want w) {
        boolean result = walk.ok();
        long last = walk.lastSent();
        StreamPosition replayedTo = walk.replayedTo();
        String epoch = walk.epoch();
        session.streams().locked(() -> {
            if (replayedTo != null) {
                session.streams().replayed(w.stream(), replayedTo);
            }
            held.release(w.stream(), last, epoch);
            results.put(w.stream(), result);
        });
        if (!result) {
            owner.metrics().recoveriesUnrecoverable.increment();
        }
        index++;
        walk = null;
    }

    private void finish() {
        session.send(Frames.recovered(results, id));
        owner.metrics().recoveries.increment();
        end();
    }

    /**
     * The bus's history stayed unavailable: the streams not recovered yet go back to awaiting the client's next
     * recover (their held live messages with them, so none overtakes the replay), and the recover is answered
     * {@code {"type":"error","code":"unavailable","cmd":"recover",...}}: the client keeps its positions and asks
     * again. Streams answered already are replayed again from the client's positions then (nothing twice).
     */
    private void answerUnavailable() {
        List<String> rest = wants.subList(index, wants.size()).stream().map(Want::stream).toList();
        session.streams().locked(() -> session.streams().awaitRecover(new HashSet<>(rest), held.carry(rest)));
        session.send(ClientCommands.error(ClientError.UNAVAILABLE, "the message bus's history is unavailable "
                + "now; nothing was lost: send recover again with the same positions", id, "recover"));
        owner.metrics().recoveriesUnavailable.increment();
        end();
    }

    /** Stops the replay (the session closed, or cannot take more); held messages are dropped. */
    void abandon() {
        abandoned = true;
        end();
    }

    private void end() {
        if (ended.compareAndSet(false, true)) {
            session.streams().end(this);
            owner.release();
        }
    }
}
