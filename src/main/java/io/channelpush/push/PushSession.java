package io.channelpush.push;

import io.channelpush.push.auth.ConnectionIdentity;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One WebSocket client of this node: its id, its groups, and its outbound queue. Sends never block the caller:
 * messages go to the queue and a drain hands them to the container ({@link FrameSender}) in order, at most one
 * drain at a time per session (no locks), batched so that what queued up meanwhile costs one socket write. The
 * drain is the connection's one writer: pings and the close frame ({@link #close(CloseCode)}, the one way this
 * node closes a connection) go through the same queue. The queue is bounded in bytes, counted until the container
 * reports each message written; a client that lets it fill up is closed with 1013 (try again later). How fast the
 * client may ask is {@link ClientRates}'; what a {@code recover} waits for, {@link LowWater}. Thread-safe.
 *
 * <p>An idle connection holds as little as it can: the parts it may never need are made at their first use
 * ({@link SessionParts}), the flags and counters are fields of the session itself (no atomics), what all sessions of
 * a node share is one {@link SessionLimits}, and the session is its sender's {@link FrameSender.Listener}.
 */
final class PushSession extends SessionQueue implements FrameSender.Listener {
    private static final Logger LOG = Logger.getLogger(PushSession.class.getName());

    /** A queued ping. */
    private static final Object PING = new Object();

    /** A queued close: the last thing the drain writes. */
    private record Close(CloseCode code, String reason) {
    }

    private static final VarHandle QUEUED_BYTES = fieldHandle(MethodHandles.lookup(), "queuedBytes", long.class);
    private static final VarHandle SCHEDULED = fieldHandle(MethodHandles.lookup(), "scheduled", boolean.class);
    private static final VarHandle COMMANDS_QUEUED = fieldHandle(MethodHandles.lookup(), "commandsQueued", int.class);

    final long id;
    private volatile long queuedBytes;
    /** A drain is pending or running. */
    private volatile boolean scheduled;
    private final FrameSender sender;
    private final DrainGroup drains;
    /**
     * The next session in its {@link DrainGroup}'s pending list; written by the group only, while this session is
     * on the list (published by the list's compare-and-set).
     */
    PushSession nextPending;
    /** This connection's commands waiting for the node's publish thread ({@link ClientCommands#handle}). */
    private volatile int commandsQueued;

    private volatile long lastPongNanos = System.nanoTime();
    /**
     * Who the connection is, from its connection token; null when connections are anonymous. Set once, in onOpen,
     * before the welcome line and so before any command of the client.
     */
    volatile ConnectionIdentity identity;
    /** The user this connection belongs to, or null; written only by {@link UserRegistry}, holding this session. */
    volatile String uid;
    /** The user and groups this connection counts for in presence events; guarded by {@link LocalShares}. */
    String presenceUid;
    Set<String> presenceGroups = Set.of();
    /** Whether this connection holds one of the node's {@link ConnectionSlots} (set once, in onOpen). */
    volatile boolean holdsSlot;
    /** Whether the client asked for JSON frames ({@code ?format=json}); set once, in onOpen, before the welcome. */
    volatile boolean json;

    /**
     * @param senderFor builds this session's frame sender, given the listener it reports writes and failures to
     *                  (this session)
     * @param groupFor the drain group of the sender's executor
     * @param limits the node's, shared by its sessions
     */
    PushSession(long id, Function<FrameSender.Listener, FrameSender> senderFor, Function<Executor, DrainGroup> groupFor,
                SessionLimits limits) {
        super(limits);
        this.id = id;
        this.sender = senderFor.apply(this);
        this.drains = groupFor.apply(sender.executor());
    }

    /** The sender wrote {@code m}: its bytes leave the queue's count. */
    @Override
    public void sent(OutboundMessage m) {
        long queued = (long) QUEUED_BYTES.getAndAdd(this, -m.weight()) - m.weight();
        LowWater w = lowWaterIfAny();
        if (w != null) {
            w.queueAt(queued);
        }
    }

    /** The sender failed: the socket is gone or broken; stop sending, let onClose clean up. */
    @Override
    public void failed(Throwable t) {
        if (close(CloseCode.SEND_FAILED)) {
            LOG.fine(() -> "send to connection " + id + " failed: " + t);
        }
    }

    /**
     * Closes the connection with 1009 because the client's message passed {@code limitBytes}: the close frame goes
     * out ahead of anything queued, and the connection is cut once it is written, without reading the rest of
     * that message or waiting for the client's close.
     */
    void closeTooBig(int limitBytes) {
        if (close(CloseCode.TOO_BIG, "message larger than " + limitBytes + " bytes")) {
            LOG.fine(() -> "connection " + id + " closed with 1009: a message passed " + limitBytes + " bytes");
        }
    }

    void pongReceived() {
        lastPongNanos = System.nanoTime();
    }

    /** Queues a ping, or closes the client when it has not answered for {@code timeoutNanos}. */
    void pingOrExpire(long timeoutNanos) {
        if (isClosed()) {
            return;
        }
        if (System.nanoTime() - lastPongNanos > timeoutNanos) {
            if (close(CloseCode.PING_TIMEOUT)) {
                limits.closeLog().noPong.log(() -> "connection " + id + " closed: no pong for "
                        + timeoutNanos / 1_000_000 + " ms");
            }
            return;
        }
        enqueue(PING);
        scheduleDrain();
    }

    /** Closes with {@code code}'s own reason text. @return false when the session was closed already */
    boolean close(CloseCode code) {
        return close(code, code.reason());
    }

    /**
     * The one way this node closes a connection: marks the session closed (nothing more is queued), drops what is
     * queued when {@code code} says so, and queues the close frame for the session's writer. Never blocks; any
     * thread.
     *
     * @return false when the session was closed already (only the first close counts)
     */
    boolean close(CloseCode code, String reason) {
        if (!closeQueue()) {
            return false;
        }
        if (code.discardsQueue()) {
            discard();
        }
        enqueue(new Close(code, reason));
        scheduleDrain();
        return true;
    }

    /** Queues a text message for this client alone; never blocks. @return false when it was not queued */
    boolean send(String text) {
        return send(OutboundMessage.forOne(text));
    }

    /** Queues a message; never blocks. @return false when it was not queued (closed, or too slow) */
    boolean send(OutboundMessage m) {
        if (isClosed()) {
            return false;
        }
        long size = m.weight();
        if ((long) QUEUED_BYTES.getAndAdd(this, size) + size > limits.queueBytes()) {
            QUEUED_BYTES.getAndAdd(this, -size);
            if (close(CloseCode.SLOW_CLIENT)) {
                limits.closeLog().slow.log(() -> "connection " + id + " closed as a slow client: more than "
                        + limits.queueBytes() + " bytes queued");
                limits.onSlow().accept(this);
            }
            return false;
        }
        enqueue(m);
        scheduleDrain();
        return true;
    }

    /**
     * Schedules a drain unless one is pending. Never drains inline: while the drain waits its turn, later messages
     * join the queue and go out in the same write.
     */
    private void scheduleDrain() {
        if (SCHEDULED.compareAndSet(this, false, true)) {
            drains.schedule(this);
        }
    }

    /**
     * The drain thread refused the drain (node or connection stopping): there is no writer left, so the close is
     * attempted here, once, and nothing more is sent.
     */
    void drainRefused(RuntimeException e) {
        scheduled = false;
        discard();
        LOG.fine(() -> "connection " + id + ": no drain thread (" + e + "); closing");
        try {
            sender.close(CloseCode.SHUTDOWN.toReason(CloseCode.SHUTDOWN.reason()));
        } catch (IOException | RuntimeException ex) {
            LOG.fine(() -> "closing connection " + id + ": " + ex);
        }
    }

    /**
     * Hands everything queued to the container and flushes once, so that messages which arrived while the
     * previous drain ran go out together, several frames per write; a ping ends the batch and starts another; a
     * close ends the drain for good. Runs in its {@link DrainGroup}'s sweep, on the sender's executor (the
     * session's Undertow I/O thread, or one of the node's sender threads), never two at once for one session, so
     * the container receives the frames in queue order.
     */
    void drain() {
        // the node being written, whose successors a failure leaves to the next drain; null for an item alone
        Node n = null;
        try {
            // Explicit flushing only while draining: frames the container sends on its own (pongs) go out at once
            // the rest of the time.
            sender.begin();
            Object batch;
            while ((batch = takeAll()) != null) {
                if (batch instanceof Node first) {
                    for (n = first; n != null; n = n.after()) {
                        if (!write(n.item)) {
                            return;
                        }
                    }
                } else if (!write(batch)) {
                    return;
                }
            }
            sender.end();
        } catch (IOException | RuntimeException e) {
            // what came after the item that failed goes to the next drain, in order
            keepUnsent(n == null ? null : n.after());
            failed(e);
        } finally {
            scheduled = false;
            if (hasQueued()) {
                scheduleDrain();
            }
        }
    }

    /**
     * Hands one queued item to the sender: a message, a ping (which ends the batch and starts another) or the
     * close. @return false after the close: the drain ends for good
     */
    private boolean write(Object item) throws IOException {
        if (item instanceof Close c) {
            sender.end();
            discard();
            writeClose(c);
            return false;
        }
        if (discarding()) {
            return true;
        }
        if (item instanceof OutboundMessage m) {
            sender.send(m);
        } else {
            sender.end();
            sender.ping();
            sender.begin();
        }
        return true;
    }

    private void writeClose(Close c) {
        jakarta.websocket.CloseReason reason = c.code().toReason(c.reason());
        if (c.code().abortive()) {
            sender.abort(reason);
            return;
        }
        try {
            sender.close(reason);
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "closing connection " + id + ": " + e);
        }
    }

    /**
     * Runs {@code r} once the bytes queued for this client drop below {@code bytes} (at once when they are below
     * already), on the thread that reports the write, or here. At most one waits; a closed session never runs it.
     */
    void whenQueueBelow(long bytes, Runnable r) {
        LowWater w = lowWater();
        w.set(bytes, r);
        if (queuedBytes < bytes || isClosed()) {
            Runnable mine = w.take();
            if (mine != null && !isClosed()) {
                mine.run();
            }
        }
    }

    long queueLimitBytes() {
        return limits.queueBytes();
    }

    /** Marks the session closed (from onClose) so nothing more is queued. */
    void markClosed() {
        discard();
    }

    long queuedBytes() {
        return queuedBytes;
    }

    /** Commands of this connection waiting for the node's publish thread. */
    int commandsQueued() {
        return commandsQueued;
    }

    /** @param delta +1 when a command is queued for the publish thread, -1 when it ran or was refused */
    void commandQueued(int delta) {
        COMMANDS_QUEUED.getAndAdd(this, delta);
    }
}
